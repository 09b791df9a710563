/**
 * What every service with an outbox and an inbox runs beside its handlers: the outbox relay (publishes committed
 * messages) and the retention job (deletes sent outbox rows after `outboxDays` and inbox rows after `inboxDays`,
 * one replica at a time under an advisory lock). One call, so no service forgets the clean-up.
 */
import { OutboxRelay, type OutboxRelayOptions } from './outbox.relay';
import { startRetentionJob, type RetentionJobOptions } from './retention.job';

export interface OutboxRuntimeOptions extends OutboxRelayOptions {
  /** Retention of this schema's outbox and inbox; defaults: hourly, sent outbox rows 7 days, inbox rows 14 days. */
  retention?: Pick<RetentionJobOptions, 'intervalMs' | 'outboxDays' | 'inboxDays'>;
}

export interface OutboxRuntime {
  relay: OutboxRelay;
  /** Runs the retention job now (after a running one); tests and operators use it. */
  runRetentionNow(): Promise<void>;
  /** Stops the retention job, then the relay (it finishes the batch in flight). */
  stop(): Promise<void>;
}

export async function startOutboxRuntime(opts: OutboxRuntimeOptions): Promise<OutboxRuntime> {
  const { retention: retentionOpts, ...relayOpts } = opts;
  const relay = new OutboxRelay(relayOpts);
  await relay.start();
  const retention = startRetentionJob({
    db: { databaseUrl: opts.databaseUrl },
    schema: opts.schema,
    logger: opts.logger.child({ job: 'retention' }),
    ...retentionOpts,
  });
  return {
    relay,
    runRetentionNow: () => retention.runNow(),
    async stop() {
      await retention.stop();
      await relay.stop();
    },
  };
}
