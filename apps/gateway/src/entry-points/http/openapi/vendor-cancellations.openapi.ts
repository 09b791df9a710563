import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { OrderIdParamsSchema } from '@ttelgo/contracts';
import { z } from 'zod';
import { apiKeySecurity, idempotencyKeyHeader, problemResponses, vendorResponseHeaders } from './common.openapi';
import { VendorOrderDoc } from './vendor.openapi';

export const CANCELLED_ORDER_EXAMPLE = {
  id: '2b7c0c4e-5a8f-4f0e-8a51-5d3a1c9e7f20',
  status: 'CANCELLED',
  kind: 'NEW',
  iccid: null,
  bundleName: 'esim_1GB_7D_FR_V2',
  quantity: 1,
  unitPrice: { amount: 420, currency: 'USD' },
  total: { amount: 420, currency: 'USD' },
  customerReference: 'trip-42',
  esims: [{ iccid: '8944000000000000001' }],
  failureReason: null,
  createdAt: '2026-12-08T10:00:00.000Z',
  updatedAt: '2026-12-08T10:05:00.000Z',
};

const cancelHeaders = vendorResponseHeaders.extend({ Location: z.string().meta({ description: '`/api/v1/vendor/orders/{id}`' }) });

/** Self-service cancellation of an unused order (X-API-Key). */
export function registerVendorCancellationsOpenApi(registry: OpenAPIRegistry): void {
  registry.registerPath({
    tags: ['Reseller'],
    security: apiKeySecurity,
    method: 'post',
    path: '/api/v1/vendor/orders/{id}/cancel',
    operationId: 'cancelVendorOrder',
    summary: 'Cancel an unused order',
    description:
      "Revokes the order's bundles at eSIM Go under eSIM Go's revoke-with-refund rules (not started, no data used, bought within the " +
      'refund window of 60 days), then credits the charge back to your wallet (PREPAID) or reverses it (POSTPAID) in the ledger; the ' +
      'order becomes CANCELLED and you receive the `order.cancelled` webhook. The request waits up to 10 s: 200 when done, 202 while ' +
      'it runs (follow Location). A used or expired bundle, an order that is not COMPLETED, or one outside the window: 409 ' +
      '`NOT_CANCELLABLE` with the reason. eSIM Go unreachable: 409 `PROVIDER_REVOCATION_FAILED` (retry later).',
    request: { params: OrderIdParamsSchema, headers: idempotencyKeyHeader(true, 'vendor') },
    responses: {
      200: { description: 'Cancelled; the money is back.', headers: cancelHeaders, content: { 'application/json': { schema: VendorOrderDoc, example: CANCELLED_ORDER_EXAMPLE } } },
      202: {
        description: 'Accepted: eSIM Go or vendor-billing has not finished yet.',
        headers: cancelHeaders,
        content: { 'application/json': { schema: VendorOrderDoc, example: { ...CANCELLED_ORDER_EXAMPLE, status: 'COMPLETED' } } },
      },
      ...problemResponses([400, 401, 403, 404, 409, 422, 429, 500, 502, 503, 504]),
    },
  });

  registry.registerPath({
    tags: ['Reseller'],
    security: apiKeySecurity,
    method: 'get',
    path: '/api/v1/vendor/orders/{id}/qrcodes.zip',
    operationId: 'exportVendorOrderQrCodes',
    summary: 'Download every QR code of an order',
    description:
      'A ZIP with `esim-<iccid>.png` (the QR code of the LPA string) for each eSIM of a COMPLETED order and `esims.csv` ' +
      '(`iccid,smdpAddress,matchingId,lpa,appleInstallUrl,expiresAt,qrFile`). Not COMPLETED: 409 `ORDER_NOT_COMPLETED`.',
    request: { params: OrderIdParamsSchema },
    responses: {
      200: {
        description: 'The ZIP.',
        headers: vendorResponseHeaders.extend({ 'Content-Disposition': z.string().meta({ description: '`attachment; filename="order-<id>-qrcodes.zip"`' }) }),
        content: { 'application/zip': { schema: z.string().meta({ format: 'binary' }) } },
      },
      ...problemResponses([400, 401, 403, 404, 409, 429, 500, 502, 503, 504]),
    },
  });
}
