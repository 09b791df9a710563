import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import {
  BundleListResponseSchema,
  BundleNameParamsSchema,
  BundleResponseSchema,
  ExchangeRatesResponseSchema,
  ListBundlesQuerySchema,
} from '@ttelgo/contracts';
import { z } from 'zod';
import { CATALOGUE_CACHE_CONTROL } from '../cached-json';
import { commonRequestHeaders, commonResponseHeaders, problemResponses } from './common.openapi';

const BundleDoc = BundleResponseSchema.meta({ id: 'Bundle', description: 'A data bundle as the platform sells it; price in minor units.' });
export const BundleListDoc = BundleListResponseSchema.meta({
  id: 'BundleList',
  description: 'One page of bundles; `nextCursor` is null on the last page.',
});

const ExchangeRatesDoc = ExchangeRatesResponseSchema.meta({
  id: 'ExchangeRates',
  description: 'The dated exchange-rate table; a rate is decimal text: 1 unit of `base` is worth `rate` units of `currency`.',
});

/** A bundle as the catalogue shows it (the demo catalogue's France 1 GB). */
export const BUNDLE_EXAMPLE = {
  name: 'esim_1GB_7D_FR_V2',
  description: 'eSIM, 1GB, 7 Days, France, V2',
  countries: [
    {
      iso: 'FR',
      name: 'France',
      region: 'Europe',
      networks: [
        { name: 'Orange', brandName: 'Orange', mcc: '208', mnc: '01', speeds: ['4G', '5G'] },
        { name: 'SFR', brandName: 'SFR', mcc: '208', mnc: '10', speeds: ['4G', '5G'] },
      ],
    },
  ],
  dataMb: 1000,
  durationDays: 7,
  unlimited: false,
  price: { amount: 499, currency: 'USD' },
  topUpCompatible: true,
  recommendedRetailPrices: [
    { amount: 499, currency: 'USD' },
    { amount: 472, currency: 'EUR' },
    { amount: 394, currency: 'GBP' },
  ],
};

export const EXCHANGE_RATES_EXAMPLE = {
  base: 'USD',
  asOf: '2026-12-01',
  source: 'Treasury rates of the day',
  rates: [
    { currency: 'EUR', rate: '0.945' },
    { currency: 'GBP', rate: '0.79' },
  ],
};

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
    description:
      'The retail catalogue, filtered by country and/or region, in cursor pages. Unknown query parameters are rejected. Each bundle ' +
      "lists the networks it uses per country (eSIM Go's network data), whether it can top up an existing eSIM (`topUpCompatible`), and " +
      'its recommended retail price in every currency the platform sells in (`recommendedRetailPrices`, see `GET /api/v1/exchange-rates`).',
    request: { query: ListBundlesQuerySchema, headers: conditionalRequestHeaders },
    responses: {
      200: {
        description: 'A page of bundles.',
        headers: cachedResponseHeaders,
        content: { 'application/json': { schema: BundleListDoc, example: { data: [BUNDLE_EXAMPLE], nextCursor: 'ZXNpbV8xR0JfN0RfRlJfVjI' } } },
      },
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
      200: { description: 'The bundle.', headers: cachedResponseHeaders, content: { 'application/json': { schema: BundleDoc, example: BUNDLE_EXAMPLE } } },
      304: notModified,
      ...problemResponses([400, 404, 500, 502, 503, 504]),
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/api/v1/exchange-rates',
    operationId: 'getExchangeRates',
    tags: ['Catalogue'],
    summary: 'Get the exchange rates',
    description:
      'The configured, dated table recommended retail prices are converted with. Its currencies are the ones the platform sells in. ' +
      'Conversion is on integers: minor units times the rate, rounded half up to a minor unit of the target currency.',
    request: { headers: conditionalRequestHeaders },
    responses: {
      200: { description: 'The table.', headers: cachedResponseHeaders, content: { 'application/json': { schema: ExchangeRatesDoc, example: EXCHANGE_RATES_EXAMPLE } } },
      304: notModified,
      ...problemResponses([500, 502, 503, 504]),
    },
  });
}
