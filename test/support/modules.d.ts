declare module '@node-red/nodes/core/common/25-catch' {
  const init: (RED: unknown) => void;
  export = init;
}
declare module '@node-red/nodes/core/common/21-debug' {
  const init: (RED: unknown) => void;
  export = init;
}
declare module '@node-red/nodes/core/common/20-inject' {
  const init: (RED: unknown) => void;
  export = init;
}
declare module '@node-red/nodes/core/common/90-comment' {
  const init: (RED: unknown) => void;
  export = init;
}
declare module '@node-red/nodes/core/function/15-change' {
  const init: (RED: unknown) => void;
  export = init;
}
declare module '@node-red/nodes/core/network/21-httprequest' {
  const init: (RED: unknown) => void;
  export = init;
}
declare module '@node-red/nodes/core/sequence/17-split' {
  const init: (RED: unknown) => void;
  export = init;
}
declare module '@node-red/nodes/core/function/10-switch' {
  const init: (RED: unknown) => void;
  export = init;
}
declare module '@node-red/nodes/core/parsers/70-CSV' {
  const init: (RED: unknown) => void;
  export = init;
}
declare module '@node-red/nodes/core/storage/10-file' {
  const init: (RED: unknown) => void;
  export = init;
}
