/**
 * esim.quote-topup.v1: before an order for a top-up is stored (and so before any money is taken), may this bundle
 * go onto this eSIM of this owner, and at what price?
 *
 *   1. the eSIM must be the owner's (another owner's is ESIM_NOT_FOUND, like one that does not exist);
 *   2. the bundle must be sold (our catalogue copy): BUNDLE_NOT_FOUND;
 *   3. eSIM Go must say the bundle is compatible with the eSIM (GET /esims/{iccid}/compatible/{bundle}; bundles of
 *      another network cannot top it up): BUNDLE_NOT_COMPATIBLE. eSIM Go not answering within the budget is
 *      PROVIDER_UNAVAILABLE: nothing is sold on a guess.
 *
 * The price is the same as for a new eSIM with that bundle (retail, or the vendor's markup).
 */
import type { Bundle, Owner } from '@ttelgo/contracts';
import { toPublicBundle } from '../domain/catalogue-bundle';
import { bundleNotFound } from '../domain/catalogue.errors';
import { bundleNotCompatible, esimNotFound, providerUnavailable } from '../domain/esim.errors';
import { retailPrice } from '../domain/pricing';
import type { EsimsRepository } from '../infrastructure/esims.repository';
import type { CatalogueSnapshot } from './catalogue-snapshot';
import { ProviderTemporaryError, type ProvisioningProvider } from './provisioning-provider.port';

export interface QuoteTopupDeps {
  snapshot: CatalogueSnapshot;
  repository: Pick<EsimsRepository, 'findEsim'>;
  provider: Pick<ProvisioningProvider, 'compatible'>;
  retailMarkupBps: number;
  /** The longest the compatibility check may take before the answer is PROVIDER_UNAVAILABLE. */
  budgetMs: number;
}

export class QuoteTopupUseCase {
  constructor(private readonly deps: QuoteTopupDeps) {}

  async execute(req: { owner: Owner; iccid: string; bundleName: string; markupBps?: number | undefined }): Promise<{ bundle: Bundle }> {
    const esim = await this.deps.repository.findEsim(req.owner, req.iccid);
    if (!esim) throw esimNotFound(req.iccid);
    const bundle = (await this.deps.snapshot.current()).get(req.bundleName);
    if (!bundle) throw bundleNotFound(req.bundleName);
    if (!(await this.compatible(req.iccid, req.bundleName))) throw bundleNotCompatible(req.iccid, req.bundleName);
    return { bundle: toPublicBundle(bundle, retailPrice(bundle.cost, req.markupBps ?? this.deps.retailMarkupBps)) };
  }

  private async compatible(iccid: string, bundleName: string): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const budget = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.deps.budgetMs);
    });
    try {
      const answer = await Promise.race([this.deps.provider.compatible(iccid, bundleName), budget]);
      if (answer === 'timeout') throw providerUnavailable(`no compatibility answer within ${this.deps.budgetMs} ms`);
      return answer;
    } catch (err) {
      if (err instanceof ProviderTemporaryError) throw providerUnavailable(err.message);
      throw err;
    } finally {
      clearTimeout(timer);
    }
  }
}
