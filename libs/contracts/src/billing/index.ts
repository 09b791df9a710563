export * from './vendor-view';
export * from './vendor-rpcs.v1';
export * from './funds.v1';
