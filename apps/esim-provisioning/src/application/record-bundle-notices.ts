/**
 * After any change of a bundle (an alert, a pulled read, the sync's expiry or "ending soon" step), in the same
 * transaction and under the eSIM's lock: the notices the bundle is now due (domain/bundle-notices.ts) are recorded
 * in esim_bundle_notices and each one sent is an esim.bundle-notice.v1 in the outbox. The notice row's key
 * (bundle, notice) and the lock make each notice happen once per bundle assignment, however many times, late or
 * out of order eSIM Go tells us the same thing.
 */
import { EsimBundleNoticeV1, type DataOf } from '@ttelgo/contracts';
import { enqueue, type OutboxTx } from '@ttelgo/db';
import type { Logger } from '@ttelgo/observability';
import { decideBundleNotices, type DueNotice } from '../domain/bundle-notices';
import type { EsimTx, EsimsRepository, StoredBundle } from '../infrastructure/esims.repository';

export type BundleNoticeData = DataOf<typeof EsimBundleNoticeV1>;

export interface BundleNoticeDeps {
  repository: Pick<EsimsRepository, 'noticeSubject' | 'recordNotices'>;
  thresholds: readonly number[];
  producer: string;
  logger: Logger;
  now?: () => Date;
}

export class BundleNoticeRecorder {
  private readonly now: () => Date;

  constructor(private readonly deps: BundleNoticeDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** Returns the notices sent (enqueued) by this call. */
  async afterChange(tx: EsimTx, bundleId: string): Promise<DueNotice[]> {
    const subject = await this.deps.repository.noticeSubject(tx, bundleId);
    if (!subject) return [];
    const now = this.now();
    const { bundle, owner, sent } = subject;
    const decision = decideBundleNotices(bundle, sent, now, this.deps.thresholds);
    if (decision.send.length === 0 && decision.passed.length === 0) return [];
    const recorded = await this.deps.repository.recordNotices(
      tx,
      bundleId,
      [...decision.passed, ...decision.send].map((n) => n.key),
      now,
    );
    const toSend = decision.send.filter((n) => recorded.has(n.key));
    for (const notice of toSend) {
      await enqueue(tx as unknown as OutboxTx, EsimBundleNoticeV1, noticeData(bundle, owner, notice, now), { producer: this.deps.producer });
    }
    if (toSend.length > 0 || decision.passed.length > 0) {
      this.deps.logger.info(
        { iccid: bundle.iccid, bundleId, sent: toSend.map((n) => n.key), passed: decision.passed.map((n) => n.key) },
        'bundle notices recorded',
      );
    }
    return toSend;
  }
}

function noticeData(bundle: StoredBundle, owner: BundleNoticeData['owner'], notice: DueNotice, now: Date): BundleNoticeData {
  const figures = !bundle.unlimited && bundle.initialBytes !== null && bundle.remainingBytes !== null;
  const remaining = figures ? Math.min(bundle.remainingBytes!, bundle.initialBytes!) : null;
  return {
    iccid: bundle.iccid,
    owner,
    orderId: bundle.orderId,
    bundleId: bundle.id,
    bundleName: bundle.bundleName,
    notice: notice.kind,
    threshold: notice.kind === 'USAGE_THRESHOLD' ? notice.threshold : null,
    usedBytes: figures ? bundle.initialBytes! - remaining! : null,
    totalBytes: bundle.initialBytes,
    remainingBytes: remaining,
    unlimited: bundle.unlimited,
    endsAt: bundle.endsAt ? bundle.endsAt.toISOString() : null,
    occurredAt: now.toISOString(),
  };
}
