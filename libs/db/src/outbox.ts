import { randomUUID } from 'node:crypto';
import { createEnvelope, routeFor, type Envelope, type MessageContract } from '@ttelgo/contracts';
import { getContext, injectTraceHeaders } from '@ttelgo/observability';
import { assertSchemaName, quoteIdent } from './schema-name';

/** The part of a Prisma transaction client (or client) that enqueue needs. */
export interface OutboxTx {
  outboxMessage: { create(args: { data: any }): PromiseLike<unknown> }; // eslint-disable-line @typescript-eslint/no-explicit-any
}

export interface EnqueueMeta {
  producer: string;
  /** Defaults to the correlation id of the current request/message context, else a new one. */
  correlationId?: string;
  /** Defaults to the causation id of the current context. */
  causationId?: string;
}

/**
 * Writes an outgoing message into the service's outbox inside the caller's transaction, so the message
 * exists if and only if the state change commits. The data is validated strictly here, at the producer.
 * Trace headers are captured now, while the span of the work that caused the message is active.
 */
export async function enqueue<T>(tx: OutboxTx, contract: MessageContract<T>, data: T, meta: EnqueueMeta): Promise<Envelope<T>> {
  const ctx = getContext();
  const causationId = meta.causationId ?? ctx.causationId;
  const envelope = createEnvelope(contract, data, {
    producer: meta.producer,
    correlationId: meta.correlationId ?? ctx.correlationId ?? randomUUID(),
    ...(causationId ? { causationId } : {}),
  });
  const route = routeFor(contract);
  const headers: Record<string, unknown> = { 'x-correlation-id': envelope.correlationId };
  injectTraceHeaders(headers);
  await tx.outboxMessage.create({
    data: {
      id: envelope.id,
      type: envelope.type,
      exchange: route.exchange,
      routingKey: route.routingKey,
      payload: envelope as unknown as object,
      headers,
    },
  });
  return envelope;
}

/** LISTEN/NOTIFY channel of a schema's outbox (channel names are limited to 63 bytes like identifiers). */
export function outboxChannel(schema: string): string {
  return `${assertSchemaName(schema)}_outbox`.slice(0, 63);
}

/**
 * SQL for a migration: an AFTER INSERT trigger on `outbox` that wakes the relays with
 * pg_notify('<schema>_outbox', ''). The channel comes from TG_TABLE_SCHEMA at run time, so the same migration
 * works when a test applies it to a random schema. Without `schema` the objects are unqualified and land in
 * the search_path the migration runner sets; with it they are schema-qualified. One statement-level
 * notification per INSERT statement is enough to wake the relay, and Postgres folds identical
 * notifications of one transaction into one.
 */
export function outboxNotifyTriggerSql(schema?: string): string {
  const prefix = schema === undefined ? '' : `${quoteIdent(assertSchemaName(schema))}.`;
  return `CREATE OR REPLACE FUNCTION ${prefix}"outbox_notify"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify(left(TG_TABLE_SCHEMA || '_outbox', 63), '');
  RETURN NULL;
END;
$$;

DROP TRIGGER IF EXISTS "outbox_notify" ON ${prefix}"outbox";
CREATE TRIGGER "outbox_notify" AFTER INSERT ON ${prefix}"outbox"
  FOR EACH STATEMENT EXECUTE FUNCTION ${prefix}"outbox_notify"();
`;
}
