export { getContext, runWithContext, type RequestContext } from './context';
export { createLogger, serializeError, type CreateLoggerOptions, type Logger } from './logger';
export { createMetrics, type ServiceMetrics } from './metrics';
export { currentTraceId, injectTraceHeaders, startTracing, withConsumerSpan, withSpan, type TracingHandle } from './tracing';
