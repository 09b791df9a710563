export * from './problem.http';
export * from './catalogue.http';
export * from './auth.http';
export * from './orders.http';
export * from './esims.http';
export * from './webhooks.http';
export * from './vendor.http';
export * from './admin.http';
