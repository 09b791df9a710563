/**
 * A Postgres connection that dies under a client must fail the work on it, never the process. node-postgres emits
 * 'error' on a client whose socket ends, and an 'error' nobody listens to is thrown as an uncaught exception; a pool
 * listens on its idle clients only. These tests cut the connections (TcpProxy) while clients are checked out, busy
 * or idle, then check that the failure reaches the caller only and that the next piece of work succeeds. Jest fails
 * a test on an uncaught exception, so each of them failed before every client had a listener.
 */
import { randomUUID } from 'node:crypto';
import { TcpProxy, testLogger, waitFor } from '@ttelgo/testing';
import { createPgClient, createPgPool, createPrismaClient, enqueue, OutboxRelay, PgTransactions, withAdvisoryLock, type OutboxRawMessage } from '../src';
import { createFixtureDb, PrismaClient, type FixtureDb } from './fixture/fixture-db';
import { sql } from './helpers';
import { ThingHappened } from './relay-helpers';

const logger = testLogger('db-connection-loss');
let db: FixtureDb;
let proxy: TcpProxy;
let proxiedUrl: string;
const closers: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  db = await createFixtureDb({ prefix: 'dbloss' });
  const url = new URL(db.databaseUrl);
  proxy = new TcpProxy({ host: url.hostname, port: Number(url.port || 5432) });
  const port = await proxy.start();
  url.port = String(port);
  proxiedUrl = url.toString();
});
afterEach(async () => {
  proxy.restore();
  await Promise.allSettled(closers.splice(0).map((close) => close()));
});
afterAll(async () => {
  await proxy.stop();
  await db.dispose();
});

/** A unique application_name, to find the backend of the connection under test in pg_stat_activity. */
const appName = () => `ttelgo:loss:${randomUUID().slice(0, 8)}`;

async function backendRunning(applicationName: string, query: string): Promise<boolean> {
  const rows = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1 AND query LIKE $2`, [
    applicationName,
    `%${query}%`,
  ]);
  return (rows[0]?.n ?? 0) > 0;
}

async function backendGone(applicationName: string): Promise<boolean> {
  const rows = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`, [applicationName]);
  return rows[0]?.n === 0;
}

describe('a connection lost under a checked-out client', () => {
  it('fails the transaction whose statement was running, and the next transaction succeeds', async () => {
    const name = appName();
    const tx = new PgTransactions({ databaseUrl: proxiedUrl, schema: db.schema, poolMax: 2, applicationName: name, logger });
    closers.push(() => tx.end());

    const running = tx.transaction((t) => t.query('SELECT pg_sleep(30)'));
    await waitFor(() => backendRunning(name, 'pg_sleep'), { message: 'the statement runs' });
    proxy.cut();
    await expect(running).rejects.toThrow(/Connection terminated|ECONNRESET|terminated/i);

    proxy.restore();
    await expect(tx.transaction(async (t) => (await t.query<{ one: number }>('SELECT 1 AS one')).rows[0]?.one)).resolves.toBe(1);
  });

  it('fails the transaction when the connection died between two of its statements', async () => {
    const name = appName();
    const tx = new PgTransactions({ databaseUrl: proxiedUrl, schema: db.schema, poolMax: 2, applicationName: name, logger });
    closers.push(() => tx.end());

    const attempt = tx.transaction(async (t) => {
      await t.query('SELECT 1');
      // The transaction waits for something else (a broker, a provider) while its connection dies.
      proxy.cut();
      await waitFor(() => backendGone(name), { message: 'the backend is gone' });
      await t.query('SELECT 2');
    });
    await expect(attempt).rejects.toThrow();

    proxy.restore();
    await expect(tx.query<{ two: number }>('SELECT 2 AS two')).resolves.toMatchObject({ rows: [{ two: 2 }] });
  });

  it('survives idle pool connections dying, and reconnects on the next checkout', async () => {
    const name = appName();
    const pool = createPgPool({ databaseUrl: proxiedUrl, applicationName: name, max: 3, logger });
    closers.push(() => pool.end());
    await Promise.all([1, 2, 3].map(() => pool.query('SELECT pg_sleep(0.05)')));
    proxy.cut();
    await waitFor(() => backendGone(name), { message: 'the backends are gone' });
    proxy.restore();
    await expect(pool.query('SELECT 3 AS three')).resolves.toMatchObject({ rows: [{ three: 3 }] });
  });

  it('keeps a standalone client from throwing when its connection dies', async () => {
    const name = appName();
    const lost: Error[] = [];
    const client = createPgClient({ databaseUrl: proxiedUrl, applicationName: name, logger, onError: (err) => lost.push(err) });
    closers.push(() => client.end());
    await client.connect();
    proxy.cut();
    await waitFor(() => lost.length > 0, { message: 'the loss is reported' });
    await expect(client.query('SELECT 1')).rejects.toThrow();
  });
});

describe('a job lock whose connection dies while the job runs', () => {
  it('tells the job through its signal and lets the process live (dedicated connection)', async () => {
    const key = `loss:${randomUUID()}`;
    let signalled = false;
    const result = await withAdvisoryLock({ databaseUrl: proxiedUrl }, key, async ({ signal }) => {
      proxy.cut();
      await waitFor(() => signal.aborted, { message: 'the job learns it lost the lock' });
      signalled = true;
      return 'finished';
    });
    expect(result).toBe('finished');
    expect(signalled).toBe(true);
    proxy.restore();
    // The server released the lock with the session: another run takes it.
    expect(await withAdvisoryLock({ databaseUrl: proxiedUrl }, key, async () => 'again')).toBe('again');
  });

  it('does the same for a lock held on a pooled connection', async () => {
    const pool = createPgPool({ databaseUrl: proxiedUrl, applicationName: appName(), max: 2, logger });
    closers.push(() => pool.end());
    const key = `loss:${randomUUID()}`;
    const result = await withAdvisoryLock(pool, key, async ({ signal }) => {
      proxy.cut();
      await waitFor(() => signal.aborted, { message: 'the job learns it lost the lock' });
      return 'finished';
    });
    expect(result).toBe('finished');
    proxy.restore();
    expect(await withAdvisoryLock(pool, key, async () => 'again')).toBe('again');
  });
});

describe("Prisma's adapter pool", () => {
  it('fails the interactive transaction whose connection died, then works again', async () => {
    const prisma = createPrismaClient(PrismaClient, { databaseUrl: proxiedUrl, schema: db.schema, poolMax: 2, logger });
    closers.push(() => prisma.$disconnect());
    await prisma.$queryRawUnsafe('SELECT 1');

    const attempt = prisma.$transaction(async (t) => {
      await t.$queryRawUnsafe('SELECT 1');
      proxy.cut();
      await waitFor(async () => (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name = $1`, [`ttelgo:${db.schema}`]))[0]?.n === 0, {
        message: 'the backends are gone',
      });
      await t.$queryRawUnsafe('SELECT 2');
    });
    await expect(attempt).rejects.toThrow();

    proxy.restore();
    await expect(prisma.$queryRawUnsafe<{ n: number }[]>('SELECT 4 AS n')).resolves.toEqual([{ n: 4 }]);
  });
});

describe("the outbox relay's connections", () => {
  it('survives losing its batch connection while a publish awaits the broker, and publishes the row after', async () => {
    const published: string[] = [];
    let holdFirst: (() => void) | undefined;
    const firstPublishStarted = new Promise<void>((started) => {
      let first = true;
      const publisher = {
        async publishRaw(msg: OutboxRawMessage) {
          if (first) {
            first = false;
            started();
            await new Promise<void>((release) => (holdFirst = release));
          }
          published.push(msg.id);
        },
      };
      const relay = new OutboxRelay({
        databaseUrl: proxiedUrl,
        schema: db.schema,
        publisher,
        logger,
        pollIntervalMs: 100,
        backoffBaseMs: 50,
        backoffMaxMs: 200,
      });
      closers.push(() => relay.stop());
      void relay.start();
    });

    const envelope = await db.prisma.$transaction((tx) => enqueue(tx, ThingHappened, { n: 1 }, { producer: 'dbtest' }));
    await firstPublishStarted;
    // The batch transaction holds its connection (and the row lock) while the broker has not confirmed yet.
    proxy.cut();
    await waitFor(async () => (await sql<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE application_name LIKE 'ttelgo:outbox-%:' || $1`, [db.schema]))[0]?.n === 0, {
      message: "the relay's backends are gone",
    });
    holdFirst?.();
    proxy.restore();

    // The batch could not be marked sent: the row is published again once the database is back.
    await waitFor(async () => (await db.prisma.outboxMessage.findUnique({ where: { id: envelope.id } }))?.sentAt, {
      timeoutMs: 15_000,
      message: 'the row is marked sent',
    });
    expect(published.filter((id) => id === envelope.id).length).toBeGreaterThanOrEqual(2);
  });
});
