declare module '@node-red/nodes/core/common/25-catch' {
  const init: (RED: unknown) => void;
  export = init;
}
declare module '@node-red/nodes/core/common/21-debug' {
  const init: (RED: unknown) => void;
  export = init;
}
