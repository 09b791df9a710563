/**
 * esim.get-esim.v1: one eSIM of its owner. Usage comes from the stored columns; when they are older than
 * `usageRefreshAfterMs` they are refreshed from eSIM Go (GET /esims/{iccid}/bundles) within a small time
 * budget, best effort: a slow or failing eSIM Go never fails the query, the stored data is served instead
 * (a refresh that finishes after the budget still updates the row for the next read).
 */
import type { EsimView } from '@ttelgo/contracts';
import type { Logger } from '@ttelgo/observability';
import { esimNotFound } from '../domain/esim.errors';
import type { EsimOwner } from '../domain/provider-order';
import type { ProvisioningRepository, StoredEsim } from '../infrastructure/provisioning.repository';
import { toEsimView } from './esim-view';
import type { ProvisioningProvider } from './provisioning-provider.port';

export interface GetEsimDeps {
  repository: ProvisioningRepository;
  provider: Pick<ProvisioningProvider, 'usage'>;
  logger: Logger;
  /** 0 disables the refresh. */
  usageRefreshAfterMs: number;
  usageRefreshBudgetMs: number;
  now?: () => Date;
}

export class GetEsimUseCase {
  private readonly now: () => Date;

  constructor(private readonly deps: GetEsimDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  async execute(owner: EsimOwner, iccid: string): Promise<EsimView> {
    const esim = await this.deps.repository.findEsim(owner, iccid);
    if (!esim) throw esimNotFound(iccid);
    return toEsimView(await this.withFreshUsage(esim));
  }

  private async withFreshUsage(esim: StoredEsim): Promise<StoredEsim> {
    const { usageRefreshAfterMs, usageRefreshBudgetMs } = this.deps;
    if (usageRefreshAfterMs <= 0) return esim;
    const age = esim.usageSyncedAt ? this.now().getTime() - esim.usageSyncedAt.getTime() : Number.POSITIVE_INFINITY;
    if (age < usageRefreshAfterMs) return esim;

    const refresh = this.refresh(esim);
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

  private async refresh(esim: StoredEsim): Promise<StoredEsim | undefined> {
    try {
      const usage = await this.deps.provider.usage(esim.iccid, esim.bundleName, esim.providerReference);
      if (!usage) return undefined;
      const syncedAt = this.now();
      // Conditional on what was read: an alert (or the usage sync) stored meanwhile is newer and is served instead.
      if (!(await this.deps.repository.replacePulledUsage(esim.iccid, esim.usageSyncedAt, { ...usage, syncedAt }))) {
        return await this.deps.repository.findEsim(esim.owner, esim.iccid);
      }
      return {
        ...esim,
        initialBytes: usage.initialBytes,
        remainingBytes: usage.remainingBytes,
        usageState: usage.state,
        usageSyncedAt: syncedAt,
        expiresAt: usage.endsAt ?? esim.expiresAt,
      };
    } catch (err) {
      this.deps.logger.warn({ err, iccid: esim.iccid }, 'usage refresh from eSIM Go failed; serving the stored usage');
      return undefined;
    }
  }
}
