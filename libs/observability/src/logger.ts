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

// The prototype pino gives a serialized error (and every error nested in it, `cause` included).
const SERIALIZED_ERROR = Object.getPrototypeOf(pino.stdSerializers.err(new Error('probe'))) as object;
const MAX_STACK_FRAMES = 12;

/**
 * Driver objects out of an error's properties. pino's standard serializer copies every enumerable property of
 * an error as it is, and node-postgres hangs the whole pg Client on the errors of pooled connections
 * (`err.client`: its config, its queue, every prepared statement's text: about 8 KB a line). A property holding
 * an instance of a class (a Client, a Socket, a Pool) becomes its class name; plain data, arrays and values
 * with their own JSON form (Date, Buffer) stay, nested errors are cleaned the same way, and a stack keeps its
 * first frames. So a database error line stays well under 2 KB and still says what failed (code, message,
 * where in our code).
 */
export function serializeError(err: unknown): unknown {
  const serialized = pino.stdSerializers.err(err as Error) as unknown;
  // Not error-like: pino passes it through as it is, and it is the caller's object, so it is left alone.
  if (serialized === null || typeof serialized !== 'object' || Object.getPrototypeOf(serialized) !== SERIALIZED_ERROR) return serialized;
  return prune(serialized as Record<string, unknown>, 0);
}

function prune(value: Record<string, unknown>, depth: number): Record<string, unknown> {
  for (const [key, field] of Object.entries(value)) {
    if (key === 'stack' && typeof field === 'string') {
      const lines = field.split('\n');
      const firstFrame = lines.findIndex((line) => line.trimStart().startsWith('at '));
      if (firstFrame >= 0 && lines.length > firstFrame + MAX_STACK_FRAMES) value[key] = lines.slice(0, firstFrame + MAX_STACK_FRAMES).join('\n');
      continue;
    }
    if (field === null || typeof field !== 'object' || Array.isArray(field)) continue;
    const proto = Object.getPrototypeOf(field) as object | null;
    if (proto === SERIALIZED_ERROR || proto === Object.prototype || proto === null) {
      value[key] = depth < 3 ? prune(field as Record<string, unknown>, depth + 1) : '[nested too deep]';
    } else if (typeof (field as { toJSON?: unknown }).toJSON !== 'function') {
      value[key] = `[${(field as { constructor?: { name?: string } }).constructor?.name ?? 'object'}]`;
    }
  }
  return value;
}

/**
 * LOG_FORMAT=pretty (what `npm start` sets): lines for people, one per event, through pino-pretty, synchronously
 * in this process (no worker thread). pino-pretty is a development dependency: anything else (the image, tests,
 * LOG_FORMAT=json) writes pino's JSON.
 */
function prettyDestination(): import('pino').DestinationStream | undefined {
  if (process.env['LOG_FORMAT'] !== 'pretty') return undefined;
  let pretty: typeof import('pino-pretty');
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    pretty = require('pino-pretty') as typeof import('pino-pretty');
  } catch {
    // The image has production dependencies only: JSON it is, and say why once.
    process.stderr.write('LOG_FORMAT=pretty needs the pino-pretty package (a development dependency): logging JSON\n');
    return undefined;
  }
  return pretty({ sync: true, colorize: process.stdout.isTTY === true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service', messageFormat: '[{service}] {msg}', singleLine: true });
}

export function createLogger(opts: CreateLoggerOptions): Logger {
  const options: import('pino').LoggerOptions = {
    level: opts.level ?? process.env['LOG_LEVEL'] ?? 'info',
    base: { service: opts.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    // The mixin runs on every line, so request and trace ids follow the async call chain without being passed around.
    mixin: contextFields,
    redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
    serializers: { err: serializeError, error: serializeError },
  };
  const destination = opts.destination ?? prettyDestination();
  return destination ? pino(options, destination) : pino(options);
}
