export * from './deployment';
export { ConfigError, env, loadConfig, type ConfigIssue } from './config';
export { createLifecycle, type Lifecycle, type LifecycleOptions } from './lifecycle';
export * from './closers';
export * from './service-infrastructure';
