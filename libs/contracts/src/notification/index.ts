export * from './webhook-endpoint.v1';
export * from './vendor-events.v1';
export * from './send-account-email.v1';
