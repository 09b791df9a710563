export * from './webhook-endpoint.v1';
