import { Writable } from 'node:stream';
import { createLogger, type Logger } from '@ttelgo/observability';

export interface CapturedLogger {
  logger: Logger;
  lines: Record<string, unknown>[];
}

/** A real pino logger whose JSON lines are kept in memory for assertions. */
export function captureLogger(service = 'http-test'): CapturedLogger {
  const lines: Record<string, unknown>[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(JSON.parse(line) as Record<string, unknown>);
      cb();
    },
  });
  return { logger: createLogger({ service, level: 'info', destination }), lines };
}
