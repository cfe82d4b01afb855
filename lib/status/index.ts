export * from './vocabulary';
export * from './mapping';
export * from './badge';
