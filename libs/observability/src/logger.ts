import { isSpanContextValid, trace } from '@opentelemetry/api';
import pino from 'pino';
import { getContext } from './context';

export type Logger = import('pino').Logger;

export interface CreateLoggerOptions {
  service: string;
  level?: string;
  destination?: import('pino').DestinationStream;
}

// Secrets that must never reach a log line, wherever a caller happens to log a request or a DTO.
const REDACT_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-api-key"]',
  'req.headers["stripe-signature"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["x-api-key"]',
  'headers["stripe-signature"]',
  'authorization',
  'password',
  '*.password',
  'apiKey',
  '*.apiKey',
  'secret',
  '*.secret',
  'clientSecret',
  '*.clientSecret',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  '*.refreshToken',
];

function contextFields(): Record<string, string> {
  const fields: Record<string, string> = {};
  const ctx = getContext();
  if (ctx.requestId) fields['requestId'] = ctx.requestId;
  if (ctx.correlationId) fields['correlationId'] = ctx.correlationId;
  if (ctx.causationId) fields['causationId'] = ctx.causationId;
  if (ctx.actor) fields['actor'] = ctx.actor;
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (spanContext && isSpanContextValid(spanContext)) {
    fields['traceId'] = spanContext.traceId;
    fields['spanId'] = spanContext.spanId;
  }
  return fields;
}

export function createLogger(opts: CreateLoggerOptions): Logger {
  const options: import('pino').LoggerOptions = {
    level: opts.level ?? process.env['LOG_LEVEL'] ?? 'info',
    base: { service: opts.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    // The mixin runs on every line, so request and trace ids follow the async call chain without being passed around.
    mixin: contextFields,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
