export * from './env';
export * from './names';
export * from './rabbitmq-vhost';
export * from './postgres-schema';
export * from './wait-for';
export * from './tcp-proxy';
export * from './test-logger';
