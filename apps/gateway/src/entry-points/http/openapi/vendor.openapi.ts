import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import {
  IccidParamsSchema,
  ListBundlesQuerySchema,
  ListEsimsQuerySchema,
  VendorEsimTopupRequestSchema,
  ListOrdersQuerySchema,
  OrderIdParamsSchema,
  PageQuerySchema,
  StatementMonthParamsSchema,
  StatementResponseSchema,
  VendorBalanceResponseSchema,
  VendorLedgerResponseSchema,
  VendorOrderListResponseSchema,
  VendorOrderResponseSchema,
  VendorPlaceOrderRequestSchema,
  VendorTopupRequestSchema,
  VendorTopupResponseSchema,
  VendorWebhookEndpointRequestSchema,
  VendorWebhookEndpointResponseSchema,
} from '@ttelgo/contracts';
import { z } from 'zod';
import { MAX_PREFER_WAIT_SECONDS } from '../prefer-wait';
import { QR_CACHE_CONTROL } from '../routes/esims.routes';
import { BundleListDoc } from './bundles.openapi';
import { apiKeySecurity, commonRequestHeaders, idempotencyKeyHeader, problemResponses, vendorResponseHeaders } from './common.openapi';
import { EsimDoc, EsimListDoc } from './esims.openapi';

export const VendorOrderDoc = VendorOrderResponseSchema.meta({
  id: 'VendorOrder',
  description: 'A reseller order: unit price and total at the vendor price; eSIM install data once COMPLETED.',
});
const VendorOrderListDoc = VendorOrderListResponseSchema.meta({ id: 'VendorOrderList', description: 'One page of the vendor\'s orders, newest first.' });
const VendorPlaceOrderDoc = VendorPlaceOrderRequestSchema.meta({
  id: 'VendorPlaceOrderRequest',
  description: 'Strict: any other field (price, total, status, vendorId ...) is 400 VALIDATION_FAILED.',
});
const VendorEsimTopupDoc = VendorEsimTopupRequestSchema.meta({
  id: 'VendorEsimTopupRequest',
  description: 'Strict: one more bundle on the eSIM of the path, at the vendor price.',
});
const VendorBalanceDoc = VendorBalanceResponseSchema.meta({ id: 'VendorBalance' });
const VendorLedgerDoc = VendorLedgerResponseSchema.meta({ id: 'VendorLedger', description: 'Ledger entries of the vendor, newest first.' });
export const StatementDoc = StatementResponseSchema.meta({
  id: 'Statement',
  description: 'A POSTPAID month in "owed" terms: closingBalance = openingBalance + charges − payments − adjustments (minor units). `final` is false for the running month.',
});
const VendorTopupRequestDoc = VendorTopupRequestSchema.meta({ id: 'VendorTopupRequest' });
const VendorTopupDoc = VendorTopupResponseSchema.meta({
  id: 'VendorTopup',
  description: 'The top-up and the Stripe PaymentIntent to confirm; the wallet is credited on payment_intent.succeeded.',
});
const WebhookEndpointRequestDoc = VendorWebhookEndpointRequestSchema.meta({ id: 'VendorWebhookEndpointRequest' });
const WebhookEndpointDoc = VendorWebhookEndpointResponseSchema.meta({ id: 'VendorWebhookEndpoint' });

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });
const vendorErrors = (extra: number[] = []) => problemResponses([400, 401, 403, 429, 500, 502, 503, 504, ...extra].sort((a, b) => a - b));
const notFound = 'Another vendor\'s order or eSIM is 404, exactly like one that does not exist.';

const placeOrderHeaders = idempotencyKeyHeader(true, 'vendor').extend({
  Prefer: z
    .string()
    .regex(/^wait=\d+$/)
    .optional()
    .meta({
      description:
        `\`wait=N\` (0-${MAX_PREFER_WAIT_SECONDS} s, larger values are capped): hold the answer until the order reaches a final status ` +
        '(COMPLETED, REJECTED, FAILED, CANCELLED, REFUNDED) or N seconds pass. Final: 201 with the eSIMs; otherwise 202 + Location.',
    }),
});
const placedHeaders = vendorResponseHeaders.extend({
  Location: z.string().meta({ description: 'URL of the order.' }),
  'Preference-Applied': z.string().optional().meta({ description: '`wait=N` when a `Prefer: wait` was honoured.' }),
  'Idempotent-Replayed': z.string().optional().meta({ description: '`true` when this is the stored first response to the key.' }),
});

/** `/vendor/*` (X-API-Key). */
export function registerVendorOpenApi(registry: OpenAPIRegistry): void {
  const base = { tags: ['Reseller'], security: apiKeySecurity };

  registry.registerPath({
    ...base,
    method: 'get',
    path: '/api/v1/vendor/bundles',
    operationId: 'listVendorBundles',
    summary: 'The catalogue at my prices',
    request: { query: ListBundlesQuerySchema, headers: commonRequestHeaders },
    responses: { 200: { description: 'A page of bundles, priced with the vendor markup.', headers: vendorResponseHeaders, ...json(BundleListDoc) }, ...vendorErrors() },
  });

  registry.registerPath({
    ...base,
    method: 'post',
    path: '/api/v1/vendor/orders',
    operationId: 'placeVendorOrder',
    summary: 'Buy eSIMs against my wallet or credit',
    description: 'Funds are held by vendor-billing, then the eSIMs are provisioned. Requires an `Idempotency-Key`.',
    request: { headers: placeOrderHeaders, body: { required: true, ...json(VendorPlaceOrderDoc) } },
    responses: {
      201: { description: 'The order reached a final status within the wait.', headers: placedHeaders, ...json(VendorOrderDoc) },
      202: { description: 'Accepted and still running: poll Location.', headers: placedHeaders, ...json(VendorOrderDoc) },
      ...vendorErrors([404, 409, 413, 422]),
    },
  });

  registry.registerPath({
    ...base,
    method: 'get',
    path: '/api/v1/vendor/orders',
    operationId: 'listVendorOrders',
    summary: 'List my orders',
    request: { query: ListOrdersQuerySchema, headers: commonRequestHeaders },
    responses: { 200: { description: 'A page of orders.', headers: vendorResponseHeaders, ...json(VendorOrderListDoc) }, ...vendorErrors() },
  });

  registry.registerPath({
    ...base,
    method: 'get',
    path: '/api/v1/vendor/orders/{id}',
    operationId: 'getVendorOrder',
    summary: 'Get one of my orders',
    description: notFound,
    request: { params: OrderIdParamsSchema, headers: commonRequestHeaders },
    responses: { 200: { description: 'The order.', headers: vendorResponseHeaders, ...json(VendorOrderDoc) }, ...vendorErrors([404]) },
  });

  registry.registerPath({
    ...base,
    method: 'post',
    path: '/api/v1/vendor/esims/{iccid}/topups',
    operationId: 'topUpVendorEsim',
    summary: 'Top up one of my eSIMs',
    description:
      'One more bundle on an eSIM the vendor already has (no new eSIM, no new QR code): an order of kind TOPUP through the same ' +
      'saga as vendor orders (funds held, the bundle applied at eSIM Go, the hold captured; released when eSIM Go refuses). ' +
      'Checked with eSIM Go before any funds are held: 422 `BUNDLE_NOT_COMPATIBLE` for a bundle that cannot go onto that eSIM, ' +
      `404 \`BUNDLE_NOT_FOUND\` for an unknown bundle, 404 \`ESIM_NOT_FOUND\` for an ICCID that is not the vendor's. Requires an \`Idempotency-Key\`.`,
    request: { params: IccidParamsSchema, headers: placeOrderHeaders, body: { required: true, ...json(VendorEsimTopupDoc) } },
    responses: {
      201: { description: 'The top-up reached a final status within the wait.', headers: placedHeaders, ...json(VendorOrderDoc) },
      202: { description: 'Accepted and still running: poll Location.', headers: placedHeaders, ...json(VendorOrderDoc) },
      ...vendorErrors([404, 409, 413, 422]),
    },
  });

  registry.registerPath({
    ...base,
    method: 'get',
    path: '/api/v1/vendor/esims',
    operationId: 'listVendorEsims',
    summary: 'List my eSIMs',
    description: 'The vendor\'s eSIMs only, newest first, with their bundles and activation; `status` keeps one state (ACTIVE, QUEUED, DEPLETED, EXPIRED, REVOKED).',
    request: { query: ListEsimsQuerySchema, headers: commonRequestHeaders },
    responses: { 200: { description: 'A page of eSIMs.', headers: vendorResponseHeaders, ...json(EsimListDoc) }, ...vendorErrors() },
  });

  registry.registerPath({
    ...base,
    method: 'get',
    path: '/api/v1/vendor/esims/{iccid}',
    operationId: 'getVendorEsim',
    summary: 'Get one of my eSIMs',
    description: notFound,
    request: { params: IccidParamsSchema, headers: commonRequestHeaders },
    responses: { 200: { description: 'The eSIM.', headers: vendorResponseHeaders, ...json(EsimDoc) }, ...vendorErrors([404]) },
  });

  registry.registerPath({
    ...base,
    method: 'get',
    path: '/api/v1/vendor/esims/{iccid}/qrcode',
    operationId: 'getVendorEsimQrCode',
    summary: 'The QR code of one of my eSIMs',
    request: { params: IccidParamsSchema, headers: commonRequestHeaders },
    responses: {
      200: {
        description: `PNG; \`Cache-Control: ${QR_CACHE_CONTROL}\`.`,
        headers: vendorResponseHeaders,
        content: { 'image/png': { schema: z.string().meta({ format: 'binary' }) } },
      },
      ...vendorErrors([404]),
    },
  });

  registry.registerPath({
    ...base,
    method: 'get',
    path: '/api/v1/vendor/balance',
    operationId: 'getVendorBalance',
    summary: 'My balance',
    request: { headers: commonRequestHeaders },
    responses: { 200: { description: 'Balance, held amount and what new orders may use.', headers: vendorResponseHeaders, ...json(VendorBalanceDoc) }, ...vendorErrors() },
  });

  registry.registerPath({
    ...base,
    method: 'get',
    path: '/api/v1/vendor/ledger',
    operationId: 'listVendorLedger',
    summary: 'My ledger entries',
    request: { query: PageQuerySchema, headers: commonRequestHeaders },
    responses: { 200: { description: 'A page of entries.', headers: vendorResponseHeaders, ...json(VendorLedgerDoc) }, ...vendorErrors() },
  });

  registry.registerPath({
    ...base,
    method: 'get',
    path: '/api/v1/vendor/statements/{month}',
    operationId: 'getVendorStatement',
    summary: 'My monthly statement (POSTPAID)',
    description: '409 `STATEMENT_NOT_AVAILABLE` for a PREPAID vendor (its wallet has the ledger); 422 `MONTH_NOT_STARTED` for a future month.',
    request: { params: StatementMonthParamsSchema, headers: commonRequestHeaders },
    responses: { 200: { description: 'The statement.', headers: vendorResponseHeaders, ...json(StatementDoc) }, ...vendorErrors([409, 422]) },
  });

  registry.registerPath({
    ...base,
    method: 'post',
    path: '/api/v1/vendor/topups',
    operationId: 'createVendorTopup',
    summary: 'Top up my wallet by card',
    request: { headers: idempotencyKeyHeader(true, 'vendor'), body: { required: true, ...json(VendorTopupRequestDoc) } },
    responses: { 201: { description: 'The top-up, awaiting payment.', headers: vendorResponseHeaders, ...json(VendorTopupDoc) }, ...vendorErrors([409, 413, 422]) },
  });

  registry.registerPath({
    ...base,
    method: 'put',
    path: '/api/v1/vendor/webhook-endpoint',
    operationId: 'setVendorWebhookEndpoint',
    summary: 'Set my webhook endpoint',
    description: 'http(s) only; private and loopback addresses are refused. The answer carries the signing secret (`TtelGo-Signature`).',
    request: { headers: commonRequestHeaders, body: { required: true, ...json(WebhookEndpointRequestDoc) } },
    responses: { 200: { description: 'The endpoint and its signing secret.', headers: vendorResponseHeaders, ...json(WebhookEndpointDoc) }, ...vendorErrors([413]) },
  });
}
