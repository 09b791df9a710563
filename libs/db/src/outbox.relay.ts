import pg from 'pg';
import type { Logger } from 'pino';
import type { ServiceMetrics } from '@ttelgo/observability';
import { outboxChannel } from './outbox';
import { createPgClient, createPgPool } from './pg-connections';
import { assertSchemaName, qualified, quoteIdent } from './schema-name';

export interface OutboxRawMessage {
  id: string;
  type: string;
  exchange: string;
  routingKey: string;
  body: Buffer;
  headers: Record<string, unknown>;
}

/** Publishes with confirms; resolves only once the broker confirmed a routed message, rejects otherwise. */
export interface OutboxPublisherPort {
  publishRaw(msg: OutboxRawMessage): Promise<void>;
}

export interface OutboxRelayOptions {
  databaseUrl: string;
  schema: string;
  publisher: OutboxPublisherPort;
  logger: Logger;
  metrics?: Pick<ServiceMetrics, 'outboxBacklog' | 'outboxOldestAgeSeconds'>;
  batchSize?: number;
  /** Fallback poll when no NOTIFY arrives (missed while the listener was reconnecting, or a future available_at). */
  pollIntervalMs?: number;
  metricsIntervalMs?: number;
  /** A publish that neither confirms nor fails within this time counts as failed, so row locks are not held forever. */
  publishTimeoutMs?: number;
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

interface OutboxRow {
  id: string;
  type: string;
  exchange: string;
  routing_key: string;
  payload: string;
  headers: Record<string, unknown> | null;
  attempts: number;
}

const MAX_ERROR_LENGTH = 2000;

/** Exponential backoff with "equal jitter": never less than half the step, so a flapping broker is not hammered. */
export function outboxBackoffMs(attempts: number, baseMs = 500, maxMs = 60_000): number {
  const step = Math.min(maxMs, baseMs * 2 ** Math.min(attempts, 30));
  return Math.round(step / 2 + Math.random() * (step / 2));
}

/**
 * Publishes committed outbox rows. Any number of relays (one per replica) may run against one table:
 * `FOR UPDATE SKIP LOCKED` hands each row to exactly one of them, and a row is marked sent in the same
 * transaction that locked it, only after the broker confirmed it. A crash between confirm and commit
 * publishes the row again later: delivery is at-least-once and consumers deduplicate by message id.
 */
export class OutboxRelay {
  private readonly schema: string;
  private readonly table: string;
  private readonly channel: string;
  private readonly log: Logger;
  private readonly pool: pg.Pool;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly metricsIntervalMs: number;
  private readonly publishTimeoutMs: number;
  private readonly backoffBaseMs: number;
  private readonly backoffMaxMs: number;

  private listener: pg.Client | undefined;
  private listenerFailures = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private metricsTimer: NodeJS.Timeout | undefined;
  private loop: Promise<void> | undefined;
  private wakePending = false;
  private wakeWaiter: (() => void) | undefined;
  private stopping = false;
  private closed = false;
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(private readonly opts: OutboxRelayOptions) {
    this.schema = assertSchemaName(opts.schema);
    this.table = qualified(this.schema, 'outbox');
    this.channel = outboxChannel(this.schema);
    this.log = opts.logger.child({ component: 'outbox-relay', schema: this.schema });
    this.batchSize = opts.batchSize ?? 100;
    this.pollIntervalMs = opts.pollIntervalMs ?? 1000;
    this.metricsIntervalMs = opts.metricsIntervalMs ?? 5000;
    this.publishTimeoutMs = opts.publishTimeoutMs ?? 30_000;
    this.backoffBaseMs = opts.backoffBaseMs ?? 500;
    this.backoffMaxMs = opts.backoffMaxMs ?? 60_000;
    // A connection that dies (DB restart) fails the batch on it, never the process; the next batch reconnects.
    this.pool = createPgPool({ databaseUrl: opts.databaseUrl, max: 2, applicationName: `ttelgo:outbox-relay:${this.schema}`, logger: this.log });
  }

  async start(): Promise<void> {
    if (this.closed) throw new Error('OutboxRelay cannot be restarted after stop()');
    if (this.loop) return;
    try {
      await this.connectListener();
    } catch (err) {
      // Polling still publishes everything; the listener only makes it prompt.
      this.log.warn({ err }, 'outbox LISTEN failed at start, retrying in the background');
      this.scheduleListenerReconnect();
    }
    this.metricsTimer = setInterval(() => this.track(this.updateMetrics()), this.metricsIntervalMs);
    this.metricsTimer.unref();
    this.track(this.updateMetrics());
    this.loop = this.run();
    this.log.info({ batchSize: this.batchSize, pollIntervalMs: this.pollIntervalMs }, 'outbox relay started');
  }

  /** Waits for the batch in progress to finish (publish + mark sent) before closing connections. */
  async stop(): Promise<void> {
    if (this.closed) return;
    this.stopping = true;
    this.closed = true;
    this.wake();
    if (this.metricsTimer) clearInterval(this.metricsTimer);
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.loop;
    await Promise.allSettled([...this.inflight]);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.end().catch(() => undefined);
    await this.pool.end().catch(() => undefined);
    this.log.info('outbox relay stopped');
  }

  /** Publishes batches until a batch comes back less than full; returns how many rows were marked sent. */
  async drainOnce(): Promise<number> {
    let sent = 0;
    for (;;) {
      const batch = this.processBatch();
      this.track(batch);
      const result = await batch;
      sent += result.sent;
      if (result.selected < this.batchSize || this.stopping) return sent;
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping) {
      let waitMs = this.pollIntervalMs;
      try {
        await this.drainOnce();
        failures = 0;
      } catch (err) {
        failures += 1;
        waitMs = Math.min(this.pollIntervalMs, outboxBackoffMs(failures, this.backoffBaseMs, this.backoffMaxMs));
        this.log.error({ err, failures }, 'outbox batch failed');
      }
      await this.waitForWake(waitMs);
    }
  }

  private async processBatch(): Promise<{ selected: number; sent: number }> {
    const client = await this.pool.connect();
    let broken: Error | undefined;
    try {
      await client.query('BEGIN');
      // Named (prepared once per connection): the relay runs these two statements for nearly every message.
      const { rows } = await client.query<OutboxRow>({
        name: `outbox-select-${this.schema}`,
        text: `SELECT id, type, exchange, routing_key, payload::text AS payload, headers, attempts
           FROM ${this.table}
          WHERE sent_at IS NULL AND available_at <= now()
          ORDER BY created_at
          LIMIT $1
          FOR UPDATE SKIP LOCKED`,
        values: [this.batchSize],
      });
      if (rows.length === 0) {
        await client.query('COMMIT');
        return { selected: 0, sent: 0 };
      }
      const outcomes = await Promise.allSettled(rows.map((row) => this.publish(row)));
      const sentIds: string[] = [];
      const failed: { id: string; error: string; delayMs: number }[] = [];
      outcomes.forEach((outcome, i) => {
        const row = rows[i] as OutboxRow;
        if (outcome.status === 'fulfilled') {
          sentIds.push(row.id);
          return;
        }
        const error = describe(outcome.reason).slice(0, MAX_ERROR_LENGTH);
        failed.push({ id: row.id, error, delayMs: outboxBackoffMs(row.attempts, this.backoffBaseMs, this.backoffMaxMs) });
        this.log.warn({ messageId: row.id, type: row.type, attempts: row.attempts + 1, error }, 'outbox publish failed, will retry');
      });
      if (sentIds.length > 0) {
        await client.query({ name: `outbox-sent-${this.schema}`, text: `UPDATE ${this.table} SET sent_at = now() WHERE id = ANY($1::uuid[])`, values: [sentIds] });
      }
      if (failed.length > 0) {
        await client.query(
          `UPDATE ${this.table} AS o
              SET attempts = o.attempts + 1,
                  last_error = f.error,
                  available_at = now() + f.delay_ms * interval '1 millisecond'
             FROM unnest($1::uuid[], $2::text[], $3::int[]) AS f(id, error, delay_ms)
            WHERE o.id = f.id`,
          [failed.map((f) => f.id), failed.map((f) => f.error), failed.map((f) => f.delayMs)],
        );
      }
      await client.query('COMMIT');
      if (sentIds.length > 0) this.log.debug({ sent: sentIds.length, failed: failed.length }, 'outbox batch published');
      return { selected: rows.length, sent: sentIds.length };
    } catch (err) {
      broken = err as Error;
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    } finally {
      // A connection that failed mid-transaction is discarded rather than handed to the next batch.
      client.release(broken);
    }
  }

  private async publish(row: OutboxRow): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`publish not confirmed within ${this.publishTimeoutMs} ms`)), this.publishTimeoutMs);
    });
    try {
      await Promise.race([
        this.opts.publisher.publishRaw({
          id: row.id,
          type: row.type,
          exchange: row.exchange,
          routingKey: row.routing_key,
          body: Buffer.from(row.payload, 'utf8'),
          headers: row.headers ?? {},
        }),
        timeout,
      ]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async updateMetrics(): Promise<void> {
    const metrics = this.opts.metrics;
    if (!metrics || this.stopping) return;
    try {
      const { rows } = await this.pool.query<{ backlog: number; oldest: number }>(
        `SELECT count(*)::int AS backlog,
                COALESCE(EXTRACT(EPOCH FROM now() - min(created_at)), 0)::float8 AS oldest
           FROM ${this.table} WHERE sent_at IS NULL`,
      );
      metrics.outboxBacklog.set(rows[0]?.backlog ?? 0);
      metrics.outboxOldestAgeSeconds.set(rows[0]?.oldest ?? 0);
    } catch (err) {
      if (!this.stopping) this.log.warn({ err }, 'outbox metrics query failed');
    }
  }

  private async connectListener(): Promise<void> {
    const client: pg.Client = createPgClient({
      databaseUrl: this.opts.databaseUrl,
      applicationName: `ttelgo:outbox-listen:${this.schema}`,
      onError: (err) => this.onListenerLost(client, err),
    });
    client.on('notification', () => this.wake());
    client.on('end', () => this.onListenerLost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(this.channel)}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.stopping) {
      await client.end().catch(() => undefined);
      return;
    }
    this.listener = client;
    this.listenerFailures = 0;
    // Rows inserted while nobody listened raised notifications nobody heard.
    this.wake();
  }

  private onListenerLost(client: pg.Client, err?: Error): void {
    if (client !== this.listener) return;
    this.listener = undefined;
    client.end().catch(() => undefined);
    if (this.stopping) return;
    this.log.warn({ err }, 'outbox listener connection lost, reconnecting');
    this.scheduleListenerReconnect();
  }

  private scheduleListenerReconnect(): void {
    if (this.stopping || this.reconnectTimer) return;
    const delay = outboxBackoffMs(this.listenerFailures, 250, 30_000);
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      this.connectListener().catch((err: unknown) => {
        this.listenerFailures += 1;
        this.log.warn({ err, failures: this.listenerFailures }, 'outbox listener reconnect failed');
        this.scheduleListenerReconnect();
      });
    }, delay);
    this.reconnectTimer.unref();
  }

  private wake(): void {
    const waiter = this.wakeWaiter;
    if (waiter) {
      this.wakeWaiter = undefined;
      waiter();
    } else {
      this.wakePending = true;
    }
  }

  private waitForWake(ms: number): Promise<void> {
    if (this.wakePending || this.stopping) {
      this.wakePending = false;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wakeWaiter = undefined;
        resolve();
      }, ms);
      this.wakeWaiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  private track(p: Promise<unknown>): void {
    this.inflight.add(p);
    const forget = () => this.inflight.delete(p);
    p.then(forget, forget);
  }
}

function describe(reason: unknown): string {
  if (reason instanceof Error) return `${reason.name}: ${reason.message}`;
  return String(reason);
}
