import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { BundleListResponseSchema, BundleNameParamsSchema, BundleResponseSchema, ListBundlesQuerySchema } from '@ttelgo/contracts';
import { z } from 'zod';
import { CATALOGUE_CACHE_CONTROL } from '../cached-json';
import { commonRequestHeaders, commonResponseHeaders, problemResponses } from './common.openapi';

const BundleDoc = BundleResponseSchema.meta({ id: 'Bundle', description: 'A data bundle as the platform sells it; price in minor units.' });
export const BundleListDoc = BundleListResponseSchema.meta({
  id: 'BundleList',
  description: 'One page of bundles; `nextCursor` is null on the last page.',
});

const cachedResponseHeaders = commonResponseHeaders.extend({
  ETag: z.string().meta({ description: 'Weak validator of the body; send it back in If-None-Match to get 304.' }),
  'Cache-Control': z.string().meta({ description: `\`${CATALOGUE_CACHE_CONTROL}\`` }),
});

const conditionalRequestHeaders = commonRequestHeaders.extend({
  'If-None-Match': z.string().optional().meta({ description: 'An ETag from an earlier response: 304 when unchanged.' }),
});

const notModified = { description: 'Not modified (If-None-Match matched).', headers: cachedResponseHeaders };

/** The public catalogue routes; the request schemas are the ones bundlesRoutes validates with. */
export function registerBundlesOpenApi(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'get',
    path: '/api/v1/bundles',
    operationId: 'listBundles',
    tags: ['Catalogue'],
    summary: 'List bundles',
    description: 'The retail catalogue, filtered by country and/or region, in cursor pages. Unknown query parameters are rejected.',
    request: { query: ListBundlesQuerySchema, headers: conditionalRequestHeaders },
    responses: {
      200: { description: 'A page of bundles.', headers: cachedResponseHeaders, content: { 'application/json': { schema: BundleListDoc } } },
      304: notModified,
      ...problemResponses([400, 500, 502, 503, 504]),
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/api/v1/bundles/{name}',
    operationId: 'getBundle',
    tags: ['Catalogue'],
    summary: 'Get a bundle',
    description: 'One bundle by its name (case-sensitive). Unknown: 404 `BUNDLE_NOT_FOUND`.',
    request: { params: BundleNameParamsSchema, headers: conditionalRequestHeaders },
    responses: {
      200: { description: 'The bundle.', headers: cachedResponseHeaders, content: { 'application/json': { schema: BundleDoc } } },
      304: notModified,
      ...problemResponses([400, 404, 500, 502, 503, 504]),
    },
  });
}
