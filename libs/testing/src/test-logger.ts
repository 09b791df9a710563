import { createLogger, type Logger } from '@ttelgo/observability';

/** A real pino logger for tests, silent unless LOG_LEVEL asks for output. */
export function testLogger(service = 'test'): Logger {
  return createLogger({ service, level: process.env.LOG_LEVEL ?? 'silent' });
}
