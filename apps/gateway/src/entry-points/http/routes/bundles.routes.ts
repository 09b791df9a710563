import { Router, type Request, type Response } from 'express';
import { BundleNameParamsSchema, ListBundlesQuerySchema, type ListBundlesQuery } from '@ttelgo/contracts';
import { parsed, validateRequest } from '@ttelgo/http';
import { getBundle } from '../../../application/get-bundle.use-case';
import { getExchangeRates } from '../../../application/get-exchange-rates.use-case';
import { listBundles } from '../../../application/list-bundles.use-case';
import type { LoadOutcome, ResponseCache } from '../../../infrastructure/response.cache';
import type { ServiceCaller } from '../../../rpc/service.caller';
import { sendCachedJson, toCachedJson, type CachedJson } from '../cached-json';

export interface BundlesRoutesDeps {
  /** esim-provisioning over RPC. */
  esim: ServiceCaller;
  /** Shared with the catalogue-updated consumer, which empties it. */
  cache: ResponseCache<CachedJson>;
  onCacheOutcome?: (outcome: LoadOutcome) => void;
}

/** The cache key: the query after validation, so `country=fr` and `country=FR&limit=20` share one entry. */
export function listCacheKey(query: ListBundlesQuery): string {
  return `list\u0000${query.country ?? ''}\u0000${query.region ?? ''}\u0000${query.limit}\u0000${query.cursor ?? ''}`;
}

export function bundleCacheKey(name: string): string {
  return `bundle\u0000${name}`;
}

/** Public catalogue: `GET /bundles`, `GET /bundles/:name` and `GET /exchange-rates` (mounted on /api/v1). No authentication. */
export function bundlesRoutes(deps: BundlesRoutesDeps): Router {
  const router = Router();
  const { cache, onCacheOutcome } = deps;

  // A hit is answered synchronously: no promise, no serialisation, one Map lookup.
  const serve = (req: Request, res: Response, key: string, load: () => Promise<unknown>): void | Promise<void> => {
    const hit = cache.get(key);
    if (hit !== undefined) {
      onCacheOutcome?.('hit');
      sendCachedJson(req, res, hit);
      return;
    }
    return cache
      .getOrLoad(key, async () => toCachedJson(await load()), onCacheOutcome)
      .then((entry) => sendCachedJson(req, res, entry));
  };

  router.get('/bundles', validateRequest({ query: ListBundlesQuerySchema }), (req, res) => {
    const { query } = parsed<ListBundlesQuery>(req);
    return serve(req, res, listCacheKey(query), () => listBundles(deps.esim, query));
  });

  router.get('/bundles/:name', validateRequest({ params: BundleNameParamsSchema }), (req, res) => {
    const { name } = parsed<unknown, { name: string }>(req).params;
    return serve(req, res, bundleCacheKey(name), () => getBundle(deps.esim, name));
  });

  // The table only changes with esim-provisioning's configuration, so the catalogue cache holds it as well.
  router.get('/exchange-rates', (req, res) => serve(req, res, 'exchange-rates', () => getExchangeRates(deps.esim)));

  return router;
}
