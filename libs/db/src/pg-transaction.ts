/**
 * Transactions on node-postgres directly, for a service's hottest write paths. Profiles of the B2B benchmark showed
 * Prisma's interactive transactions (query compilation in wasm, request plumbing, one unnamed statement per query)
 * as a third to two fifths of each service's CPU; here every statement is one round trip of a named prepared
 * statement (parsed and planned once per connection), and the outbox rows a transaction enqueues are written by a
 * single INSERT right before COMMIT. The guarantees are those of the Prisma path: the inbox row, the effects and
 * the outbox rows commit together or not at all.
 */
import { createHash } from 'node:crypto';
import pg from 'pg';
import type { Logger } from 'pino';
import type { InboxStoreLike } from './inbox.store';
import type { OutboxTx } from './outbox';
import { createPgPool } from './pg-connections';
import { assertSchemaName, qualified } from './schema-name';

export interface SqlResult<R> {
  rows: R[];
  rowCount: number;
}

/** One open transaction. It also accepts outbox rows (`enqueue(tx, ...)` of ./outbox works with it). */
export interface SqlTx extends OutboxTx {
  /** A statement as a named prepared statement (same text, same name: prepared once per connection). */
  query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values?: readonly unknown[]): Promise<SqlResult<R>>;
}

export interface PgTransactionsOptions {
  databaseUrl: string;
  schema: string;
  /** Default 10. */
  poolMax?: number;
  applicationName?: string;
  /** Where a lost connection is reported (only the work on it fails; the next checkout reconnects). */
  logger?: Pick<Logger, 'warn'>;
}

interface OutboxData {
  id: string;
  type: string;
  exchange: string;
  routingKey: string;
  payload: unknown;
  headers?: unknown;
}

const statementNames = new Map<string, string>();
/** Prepared statements are named after their text, so a name is never reused for another text. */
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `t_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
    statementNames.set(text, name);
  }
  return name;
}

/** A parameter meant as a Postgres array (`$1::text[]`): passed to pg as a JS array, which pg sends as an array literal. */
export class SqlArray {
  constructor(readonly values: readonly unknown[]) {}
}

export function sqlArray(values: readonly unknown[]): SqlArray {
  return new SqlArray(values);
}

/** Parameters as Postgres expects them: JSON columns get JSON text (pg would turn a JS array into a Postgres array), unless wrapped by sqlArray(). */
export function sqlValue(value: unknown): unknown {
  if (value === undefined) return null;
  if (value instanceof SqlArray) return value.values;
  if (typeof value === 'bigint') return value.toString();
  if (value === null || value instanceof Date || Buffer.isBuffer(value) || typeof value !== 'object') return value;
  return JSON.stringify(value);
}

class Transaction implements SqlTx {
  private readonly pending: OutboxData[] = [];
  readonly outboxMessage = {
    create: (args: { data: OutboxData }): Promise<unknown> => {
      this.pending.push(args.data);
      return Promise.resolve(args.data);
    },
  };

  constructor(
    private readonly client: pg.PoolClient,
    private readonly outboxTable: string,
  ) {}

  async query<R extends pg.QueryResultRow>(text: string, values: readonly unknown[] = []): Promise<SqlResult<R>> {
    const result = await this.client.query<R>({ name: statementName(text), text, values: values.map(sqlValue) });
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  }

  /** The enqueued outbox rows, in one statement (the NOTIFY trigger fires once for it). */
  async flushOutbox(): Promise<void> {
    if (this.pending.length === 0) return;
    const rows = this.pending.splice(0);
    const text = `INSERT INTO ${this.outboxTable} ("id", "type", "exchange", "routing_key", "payload", "headers")
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::jsonb[])`;
    // Postgres arrays here: the values go to pg as they are (sqlValue would turn an array into JSON text).
    await this.client.query({
      name: statementName(text),
      text,
      values: [
        rows.map((r) => r.id),
        rows.map((r) => r.type),
        rows.map((r) => r.exchange),
        rows.map((r) => r.routingKey),
        rows.map((r) => JSON.stringify(r.payload)),
        rows.map((r) => JSON.stringify(r.headers ?? {})),
      ],
    });
  }
}

export class PgTransactions {
  readonly pool: pg.Pool;
  private readonly outboxTable: string;

  constructor(opts: PgTransactionsOptions) {
    const schema = assertSchemaName(opts.schema);
    this.outboxTable = qualified(schema, 'outbox');
    // Every connection listens for 'error' (see ./pg-connections): one that dies fails only the work on it.
    this.pool = createPgPool({
      databaseUrl: opts.databaseUrl,
      max: opts.poolMax ?? 10,
      applicationName: opts.applicationName ?? `ttelgo:${schema}:sql`,
      logger: opts.logger,
    });
  }

  /** BEGIN, `fn`, the outbox rows, COMMIT; ROLLBACK (and the error) when anything throws. */
  async transaction<T>(fn: (tx: SqlTx) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      const tx = new Transaction(client, this.outboxTable);
      const result = await fn(tx);
      await tx.flushOutbox();
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch((rollbackErr: Error) => (broken = rollbackErr));
      throw err;
    } finally {
      // A connection whose ROLLBACK failed is in an unknown state: discarded, not handed to the next caller.
      client.release(broken);
    }
  }

  /** One statement outside a transaction (a read), as a named prepared statement. */
  async query<R extends pg.QueryResultRow = pg.QueryResultRow>(text: string, values: readonly unknown[] = []): Promise<SqlResult<R>> {
    const result = await this.pool.query<R>({ name: statementName(text), text, values: values.map(sqlValue) });
    return { rows: result.rows, rowCount: result.rowCount ?? 0 };
  }

  async end(): Promise<void> {
    await this.pool.end();
  }
}

/**
 * Idempotent consumer on PgTransactions: the `(messageId, handler)` row, the handler's effects and its outbox rows
 * in one transaction. A concurrent duplicate blocks on the first one's uncommitted primary key, then inserts
 * nothing and is skipped; a throwing handler rolls the inbox row back with its effects.
 */
export class PgInboxStore implements InboxStoreLike {
  private readonly insertSql: string;

  constructor(
    private readonly db: PgTransactions,
    schema: string,
  ) {
    this.insertSql = `INSERT INTO ${qualified(schema, 'inbox')} ("message_id", "handler") VALUES ($1, $2) ON CONFLICT DO NOTHING`;
  }

  runOnce(messageId: string, handler: string, fn: (tx: unknown) => Promise<void>): Promise<'processed' | 'duplicate'> {
    return this.db.transaction(async (tx) => {
      const { rowCount } = await tx.query(this.insertSql, [messageId, handler]);
      if (rowCount === 0) return 'duplicate' as const;
      await fn(tx);
      return 'processed' as const;
    });
  }
}
