/**
 * esim.record-usage.v1: an eSIM Go usage alert (pushed through the gateway) replaces the stored usage of the
 * bundle it is about (matched among the eSIM's bundles: its own, and every top-up), in the consumer's inbox
 * transaction, only when the domain rule says it is newer (domain/usage-alert.ts). The eSIM's row is locked first,
 * so alerts and pulls of one eSIM apply one after the other; the write is still a compare-and-set on what the
 * decision was made on.
 *
 * An ICCID we do not know is acknowledged and logged, not retried: usage alerts start with the first data use,
 * which needs the install data we hand out only after the eSIM row is committed, so "not recorded yet" does
 * not happen in practice, and an unknown ICCID is an eSIM of the same eSIM Go account that is not ours
 * (bought outside the platform, another environment). Retrying it would only fill the DLQ.
 */
import type { RecordEsimUsageV1, DataOf } from '@ttelgo/contracts';
import type { Logger } from '@ttelgo/observability';
import { bundleForAssignment, publicBundleState } from '../domain/esim-bundle';
import { decideUsageAlert, type UsageAlertDecision } from '../domain/usage-alert';
import { usageFactsOf, type EsimTx, type EsimsRepository } from '../infrastructure/esims.repository';
import { BundleUsageWriter } from './bundle-usage';
import type { BundleNoticeRecorder } from './record-bundle-notices';

export type RecordUsageCommand = DataOf<typeof RecordEsimUsageV1>;
export type RecordUsageOutcome = 'APPLIED' | 'UNKNOWN_ESIM' | 'OTHER_BUNDLE' | Extract<UsageAlertDecision, { apply: false }>['reason'];

/** The row changed between the read and the write: retry (the next attempt decides on the new row). */
export class UsageChangedConcurrentlyError extends Error {
  override readonly name = 'UsageChangedConcurrentlyError';
}

export class RecordUsageUseCase {
  private readonly writer: BundleUsageWriter;

  constructor(
    private readonly deps: {
      repository: Pick<EsimsRepository, 'lockEsim' | 'replaceUsage' | 'replacePulledUsage' | 'refreshEsim'>;
      logger: Logger;
      notices?: Pick<BundleNoticeRecorder, 'afterChange'>;
    },
  ) {
    this.writer = new BundleUsageWriter(deps.repository, deps.notices);
  }

  async execute(tx: EsimTx, command: RecordUsageCommand): Promise<RecordUsageOutcome> {
    const { iccid, alertType } = command;
    const esim = await this.deps.repository.lockEsim(tx, iccid);
    if (!esim) {
      this.deps.logger.warn({ iccid, alertType, bundleName: command.bundleName }, 'usage alert for an eSIM we do not know: ignored');
      return 'UNKNOWN_ESIM';
    }
    const bundle = bundleForAssignment(esim.bundles, {
      bundleName: command.bundleName,
      reference: command.assignmentReference,
      assignmentId: command.assignmentId,
    });
    if (!bundle) {
      this.deps.logger.info({ iccid, alertType, bundleName: command.bundleName }, 'usage alert about a bundle we did not sell on this eSIM: ignored');
      return 'OTHER_BUNDLE';
    }
    const alertedAt = new Date(command.alertedAt);
    const stored = usageFactsOf(bundle);
    const decision = decideUsageAlert(stored, {
      bundleName: command.bundleName,
      initialBytes: command.initialBytes,
      remainingBytes: command.remainingBytes,
      state: command.state,
      alertedAt,
    });
    if (!decision.apply) {
      this.deps.logger.info(
        { iccid, bundleId: bundle.id, alertType, reason: decision.reason, remainingBytes: command.remainingBytes, storedRemainingBytes: stored.remainingBytes },
        'usage alert changes nothing',
      );
      return decision.reason;
    }
    const written = await this.writer.write(
      tx,
      bundle,
      {
        initialBytes: command.initialBytes,
        remainingBytes: command.remainingBytes,
        providerState: command.state,
        state: publicBundleState(command.state),
        unlimited: command.unlimited,
        startsAt: command.bundleStartsAt ? new Date(command.bundleStartsAt) : null,
        endsAt: command.bundleEndsAt ? new Date(command.bundleEndsAt) : null,
        assignmentId: command.assignmentId,
        syncedAt: alertedAt,
      },
      { kind: 'unchanged-since-read' },
    );
    if (!written) throw new UsageChangedConcurrentlyError(`usage of bundle ${bundle.id} on eSIM ${iccid} changed while an alert was applied`);
    this.deps.logger.info({ iccid, bundleId: bundle.id, alertType, remainingBytes: command.remainingBytes, state: command.state }, 'usage alert recorded');
    return 'APPLIED';
  }
}
