/**
 * esim.get-esim.v1: one eSIM of its owner, with its bundles. Usage comes from the stored rows; when an unfinished
 * bundle's is older than `usageRefreshAfterMs`, the eSIM's bundles are refreshed from eSIM Go (one GET
 * /esims/{iccid}/bundles) within a small time budget, best effort: a slow or failing eSIM Go never fails the
 * query, the stored data is served instead (a refresh that finishes after the budget still updates the rows for
 * the next read).
 */
import type { EsimView } from '@ttelgo/contracts';
import type { Logger } from '@ttelgo/observability';
import { isFinalBundleState } from '../domain/esim-bundle';
import { esimNotFound } from '../domain/esim.errors';
import type { EsimOwner } from '../domain/provider-order';
import type { EsimsRepository, StoredEsim } from '../infrastructure/esims.repository';
import { BundleUsageWriter, writePulledUsage } from './bundle-usage';
import type { BundleNoticeRecorder } from './record-bundle-notices';
import { toEsimView } from './esim-view';
import type { ProvisioningProvider } from './provisioning-provider.port';

export interface GetEsimDeps {
  repository: Pick<EsimsRepository, 'findEsim' | 'transaction' | 'durationDays' | 'lockEsim' | 'replaceUsage' | 'replacePulledUsage' | 'refreshEsim'>;
  provider: Pick<ProvisioningProvider, 'bundles'>;
  logger: Logger;
  /** 0 disables the refresh. */
  usageRefreshAfterMs: number;
  usageRefreshBudgetMs: number;
  notices?: Pick<BundleNoticeRecorder, 'afterChange'>;
  now?: () => Date;
}

export class GetEsimUseCase {
  private readonly now: () => Date;
  private readonly writer: BundleUsageWriter;

  constructor(private readonly deps: GetEsimDeps) {
    this.now = deps.now ?? (() => new Date());
    this.writer = new BundleUsageWriter(deps.repository, deps.notices);
  }

  async execute(owner: EsimOwner, iccid: string): Promise<EsimView> {
    const esim = await this.deps.repository.findEsim(owner, iccid);
    if (!esim) throw esimNotFound(iccid);
    return toEsimView(await this.withFreshUsage(esim));
  }

  private async withFreshUsage(esim: StoredEsim): Promise<StoredEsim> {
    const { usageRefreshAfterMs, usageRefreshBudgetMs } = this.deps;
    if (usageRefreshAfterMs <= 0) return esim;
    const now = this.now().getTime();
    const stale = esim.bundles.filter((b) => !isFinalBundleState(b.state) && (b.usageSyncedAt === null || now - b.usageSyncedAt.getTime() >= usageRefreshAfterMs));
    if (stale.length === 0) return esim;

    const refresh = this.refresh(esim, new Map(stale.map((b) => [b.id, b.usageSyncedAt])));
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), usageRefreshBudgetMs);
    });
    try {
      return (await Promise.race([refresh, budget])) ?? esim;
    } finally {
      clearTimeout(timer);
    }
  }

  private async refresh(esim: StoredEsim, readBefore: Map<string, Date | null>): Promise<StoredEsim | undefined> {
    try {
      const pulledAt = this.now();
      const assignments = await this.deps.provider.bundles(esim.iccid);
      // Conditional on what was read: an alert (or the usage sync) stored meanwhile is newer and is kept.
      const written = await writePulledUsage({ repository: this.deps.repository, writer: this.writer }, esim.iccid, readBefore, assignments, pulledAt);
      if (written.refreshed.length === 0 && written.superseded.length === 0) return undefined;
      return await this.deps.repository.findEsim(esim.owner, esim.iccid);
    } catch (err) {
      this.deps.logger.warn({ err, iccid: esim.iccid }, 'usage refresh from eSIM Go failed; serving the stored usage');
      return undefined;
    }
  }
}
