/**
 * A node-postgres error in the logs says what failed, not how the driver is built: pg-pool hangs the whole pg
 * Client on the error of a pooled connection that dies (`err.client`, with its configuration, its queues and the
 * text of every prepared statement), and pino's standard error serializer would print all of it.
 */
import { Writable } from 'node:stream';
import pino from 'pino';
import { createLogger } from '@ttelgo/observability';
import { uniqueName, waitFor } from '@ttelgo/testing';
import { createPgPool } from '../src/pg-connections';
import { DATABASE_URL, sql } from './helpers';

function memoryLog(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
      done();
    },
  });
  return { stream, lines };
}

test('the error of a pooled connection that died logs in under 2 KB, without the pg Client', async () => {
  const applicationName = uniqueName('pgerrlog');
  const pool = createPgPool({ databaseUrl: DATABASE_URL, applicationName });
  let failure: (Error & { client?: unknown; code?: string }) | undefined;
  pool.on('error', (err: Error) => (failure = err));
  try {
    const client = await pool.connect();
    // A named (prepared) statement: its text is what the Client's dump used to carry into every line.
    await client.query({ name: 'ledger-probe', text: 'SELECT $1::int AS secret_statement_text', values: [1] });
    client.release();
    await sql('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = $1', [applicationName]);
    const err = await waitFor(() => failure, { timeoutMs: 10_000 });
    expect(err.client).toBeDefined();

    // What pino's standard serializer makes of it: the problem this guards against.
    const raw = memoryLog();
    pino({}, raw.stream).error({ err }, 'pooled connection failed');
    expect(raw.lines[0]!.length).toBeGreaterThan(2048);
    expect(raw.lines[0]).toContain('secret_statement_text');

    const log = memoryLog();
    createLogger({ service: 'test', destination: log.stream }).error({ err }, 'pooled connection failed');
    const line = log.lines[0]!;
    expect(line.length).toBeLessThan(2048);
    expect(line).not.toContain('secret_statement_text');
    const parsed = JSON.parse(line) as { err: Record<string, unknown>; msg: string };
    expect(parsed.msg).toBe('pooled connection failed');
    expect(parsed.err).toMatchObject({ code: '57P01', message: 'terminating connection due to administrator command', client: '[GuardedClient]' });
    expect(String(parsed.err.stack)).toContain('terminating connection');
  } finally {
    await pool.end();
  }
});
