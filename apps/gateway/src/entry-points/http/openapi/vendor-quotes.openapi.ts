import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { QuoteIdParamsSchema, VendorQuoteRequestSchema, VendorQuoteResponseSchema } from '@ttelgo/contracts';
import { z } from 'zod';
import { apiKeySecurity, commonRequestHeaders, problemResponses, vendorResponseHeaders } from './common.openapi';

const VendorQuoteRequestDoc = VendorQuoteRequestSchema.meta({ id: 'VendorQuoteRequest', description: 'A basket: up to 50 eSIMs in all, each bundle on one line.' });
const VendorQuoteDoc = VendorQuoteResponseSchema.meta({
  id: 'VendorQuote',
  description: 'A basket priced at your terms (your markup), minor units; nothing is held or charged. Valid for 10 minutes (`expiresAt`).',
});

export const QUOTE_REQUEST_EXAMPLE = {
  items: [
    { bundleName: 'esim_1GB_7D_FR_V2', quantity: 3 },
    { bundleName: 'esim_5GB_30D_EU_U', quantity: 1 },
  ],
};

export const QUOTE_EXAMPLE = {
  id: '0c8f7d9e-2a41-4c55-b1f3-7e6a9d2c4b18',
  items: [
    { bundleName: 'esim_1GB_7D_FR_V2', quantity: 3, unitPrice: { amount: 420, currency: 'USD' }, total: { amount: 1260, currency: 'USD' } },
    { bundleName: 'esim_5GB_30D_EU_U', quantity: 1, unitPrice: { amount: 1390, currency: 'USD' }, total: { amount: 1390, currency: 'USD' } },
  ],
  total: { amount: 2650, currency: 'USD' },
  createdAt: '2026-12-08T10:00:00.000Z',
  expiresAt: '2026-12-08T10:10:00.000Z',
  valid: true,
};

const quoteResponseHeaders = vendorResponseHeaders.extend({ Location: z.string().meta({ description: '`/api/v1/vendor/quotes/{id}`' }) });

/** Quotes (X-API-Key). */
export function registerVendorQuotesOpenApi(registry: OpenAPIRegistry): void {
  const base = { tags: ['Reseller'], security: apiKeySecurity };

  registry.registerPath({
    ...base,
    method: 'post',
    path: '/api/v1/vendor/quotes',
    operationId: 'createVendorQuote',
    summary: 'Price a basket without buying',
    description:
      'Prices up to 50 eSIMs over one or more bundles at your terms and keeps the quote for 10 minutes; nothing is held or charged. ' +
      'Unknown bundle: 404 `BUNDLE_NOT_FOUND`; more than 50 eSIMs or a bundle on two lines: 400 `VALIDATION_FAILED`.',
    request: { headers: commonRequestHeaders, body: { required: true, content: { 'application/json': { schema: VendorQuoteRequestDoc, example: QUOTE_REQUEST_EXAMPLE } } } },
    responses: {
      201: { description: 'The quote.', headers: quoteResponseHeaders, content: { 'application/json': { schema: VendorQuoteDoc, example: QUOTE_EXAMPLE } } },
      ...problemResponses([400, 401, 403, 404, 429, 500, 502, 503, 504]),
    },
  });

  registry.registerPath({
    ...base,
    method: 'get',
    path: '/api/v1/vendor/quotes/{id}',
    operationId: 'getVendorQuote',
    summary: 'Get a quote',
    description: 'One of your quotes, also after it expired (`valid: false`). Another reseller\'s or an unknown id: 404 `QUOTE_NOT_FOUND`.',
    request: { params: QuoteIdParamsSchema, headers: commonRequestHeaders },
    responses: {
      200: { description: 'The quote.', headers: vendorResponseHeaders, content: { 'application/json': { schema: VendorQuoteDoc, example: QUOTE_EXAMPLE } } },
      ...problemResponses([400, 401, 403, 404, 429, 500, 502, 503, 504]),
    },
  });
}
