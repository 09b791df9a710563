import type pg from 'pg';
import { assertSchemaName, createPgClient, quoteIdent } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';

/** NOTIFY channel raised by the email_delivery insert trigger (see the init migration). */
export function emailDeliveryChannel(schema: string): string {
  return `${assertSchemaName(schema)}_email`.slice(0, 63);
}

/** NOTIFY channel raised by the webhook_deliveries insert trigger (see the vendor_webhooks migration). */
export function webhookDeliveryChannel(schema: string): string {
  return `${assertSchemaName(schema)}_webhook`.slice(0, 63);
}

/**
 * A LISTEN connection that calls `onWake` on every notification and once after each (re)connect (a row inserted
 * while nobody listened raised a notification nobody heard). Losing it only makes delivery wait for the next
 * poll, so it reconnects quietly in the background.
 */
export class PgWakeupListener {
  private client: pg.Client | undefined;
  private timer: NodeJS.Timeout | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly opts: { databaseUrl: string; channel: string; onWake: () => void; logger: Logger },
  ) {}

  async start(): Promise<void> {
    try {
      await this.connect();
    } catch (err) {
      this.opts.logger.warn({ err }, 'LISTEN failed at start; delivery relies on polling until it reconnects');
      this.scheduleReconnect();
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<void> {
    const client: pg.Client = createPgClient({
      databaseUrl: this.opts.databaseUrl,
      applicationName: `ttelgo:listen:${this.opts.channel}`,
      onError: (err) => this.lost(client, err),
    });
    client.on('notification', () => this.opts.onWake());
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${quoteIdent(this.opts.channel)}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => undefined);
      return;
    }
    this.client = client;
    this.failures = 0;
    this.opts.onWake();
  }

  private lost(client: pg.Client, err?: Error): void {
    if (client !== this.client) return;
    this.client = undefined;
    client.end().catch(() => undefined);
    if (this.stopped) return;
    this.opts.logger.warn({ err }, 'LISTEN connection lost; reconnecting');
    this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.timer) return;
    const delay = Math.min(30_000, 250 * 2 ** Math.min(this.failures, 7));
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.connect().catch((err: unknown) => {
        this.failures += 1;
        this.opts.logger.warn({ err, failures: this.failures }, 'LISTEN reconnect failed');
        this.scheduleReconnect();
      });
    }, delay);
    this.timer.unref();
  }
}
