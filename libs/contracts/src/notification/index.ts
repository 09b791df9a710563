export * from './webhook-endpoint.v1';
export * from './vendor-events.v1';
