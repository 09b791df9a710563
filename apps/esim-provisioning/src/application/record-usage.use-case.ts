/**
 * esim.record-usage.v1: an eSIM Go usage alert (pushed through the gateway) replaces the stored usage of the
 * eSIM, in the consumer's inbox transaction, only when the domain rule says it is newer (domain/usage-alert.ts).
 * The write is a compare-and-set on what the decision was made on: a concurrent alert or pull refresh makes it
 * a transient failure, and the retry decides again on the new row.
 *
 * An ICCID we do not know is acknowledged and logged, not retried: usage alerts start with the first data use,
 * which needs the install data we hand out only after the eSIM row is committed, so "not recorded yet" does
 * not happen in practice, and an unknown ICCID is an eSIM of the same eSIM Go account that is not ours
 * (bought outside the platform, another environment). Retrying it would only fill the DLQ.
 */
import type { RecordEsimUsageV1, DataOf } from '@ttelgo/contracts';
import type { Logger } from '@ttelgo/observability';
import { decideUsageAlert, type UsageAlertDecision } from '../domain/usage-alert';
import type { ProvisioningRepository, UsageTx } from '../infrastructure/provisioning.repository';

export type RecordUsageCommand = DataOf<typeof RecordEsimUsageV1>;
export type RecordUsageOutcome = 'APPLIED' | 'UNKNOWN_ESIM' | Extract<UsageAlertDecision, { apply: false }>['reason'];

/** The row changed between the read and the write: retry (the next attempt decides on the new row). */
export class UsageChangedConcurrentlyError extends Error {
  override readonly name = 'UsageChangedConcurrentlyError';
}

export class RecordUsageUseCase {
  constructor(private readonly deps: { repository: Pick<ProvisioningRepository, 'findUsage' | 'replaceUsage'>; logger: Logger }) {}

  async execute(tx: UsageTx, command: RecordUsageCommand): Promise<RecordUsageOutcome> {
    const { iccid, alertType } = command;
    const stored = await this.deps.repository.findUsage(tx, iccid);
    if (!stored) {
      this.deps.logger.warn({ iccid, alertType, bundleName: command.bundleName }, 'usage alert for an eSIM we do not know: ignored');
      return 'UNKNOWN_ESIM';
    }
    const alertedAt = new Date(command.alertedAt);
    const decision = decideUsageAlert(stored, {
      bundleName: command.bundleName,
      initialBytes: command.initialBytes,
      remainingBytes: command.remainingBytes,
      state: command.state,
      alertedAt,
    });
    if (!decision.apply) {
      this.deps.logger.info(
        { iccid, alertType, reason: decision.reason, remainingBytes: command.remainingBytes, storedRemainingBytes: stored.remainingBytes },
        'usage alert changes nothing',
      );
      return decision.reason;
    }
    const written = await this.deps.repository.replaceUsage(tx, iccid, stored, {
      initialBytes: command.initialBytes,
      remainingBytes: command.remainingBytes,
      state: command.state,
      endsAt: command.bundleEndsAt ? new Date(command.bundleEndsAt) : null,
      syncedAt: alertedAt,
    });
    if (!written) throw new UsageChangedConcurrentlyError(`usage of eSIM ${iccid} changed while an alert was applied`);
    this.deps.logger.info({ iccid, alertType, remainingBytes: command.remainingBytes, state: command.state }, 'usage alert recorded');
    return 'APPLIED';
  }
}
