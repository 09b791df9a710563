export * from './errors';
export * from './connection';
export * from './topology';
export * from './publisher';
export * from './consumer';
export * from './rpc';
export * from './dispatch';
