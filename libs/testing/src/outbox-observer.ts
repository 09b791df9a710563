import type { ClientBase } from 'pg';
import { waitFor } from './wait-for';

export interface OutboxObservedOptions {
  /** A connection to the service's database. */
  db: Pick<ClientBase, 'query'>;
  /** The service's schema, where its `outbox` table is. */
  schema: string;
  /** Whether the test's observer queue has received the message with this id (the outbox row's id). */
  observed: (messageId: string) => boolean;
  /** The routes the observer is bound to; rows published elsewhere are not waited for. Default: every row. */
  routes?: (exchange: string, routingKey: string) => boolean;
  timeoutMs?: number;
}

/**
 * Waits until the service's outbox is drained AND every row it published to a route the observer listens to has
 * reached the observer, by message id. A test needs this before it asserts that something was NOT sent: the relay
 * marking a row sent says the broker has it, not that the observer's consumer has seen it yet. Waiting for the
 * ids themselves replaces a fixed pause for the broker's delivery.
 */
export async function waitForOutboxObserved(opts: OutboxObservedOptions): Promise<void> {
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(opts.schema)) throw new Error(`odd schema name ${opts.schema}`);
  const routes = opts.routes ?? (() => true);
  let unsent = 0;
  let unseen: string[] = [];
  try {
    await waitFor(
      async () => {
        const { rows } = await opts.db.query<{ id: string; exchange: string; routing_key: string; sent: boolean }>(
          `SELECT id::text AS id, exchange, routing_key, sent_at IS NOT NULL AS sent FROM "${opts.schema}".outbox`,
        );
        unsent = rows.filter((r) => !r.sent).length;
        unseen = rows.filter((r) => r.sent && routes(r.exchange, r.routing_key) && !opts.observed(r.id)).map((r) => r.id);
        return unsent === 0 && unseen.length === 0;
      },
      { timeoutMs: opts.timeoutMs ?? 15_000 },
    );
  } catch (err) {
    const cause = err instanceof Error ? err.message : String(err);
    throw new Error(`outbox of ${opts.schema}: ${unsent} row(s) never sent, ${unseen.length} sent but never observed (${unseen.slice(0, 5).join(', ')}): ${cause}`);
  }
}

/** A route predicate from AMQP bindings `[exchange, routing-key pattern]` (`#` and `*` as in a topic exchange). */
export function boundTo(bindings: ReadonlyArray<readonly [string, string]>): (exchange: string, routingKey: string) => boolean {
  const patterns = bindings.map(([exchange, pattern]) => {
    const words = pattern.split('.').map((w) => (w === '#' ? '.*' : w === '*' ? '[^.]+' : w.replace(/[\\^$+?()[\]{}|]/g, '\\$&')));
    return { exchange, regex: new RegExp(`^${words.join('\\.')}$`) };
  });
  return (exchange, routingKey) => patterns.some((p) => p.exchange === exchange && p.regex.test(routingKey));
}
