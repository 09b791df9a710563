import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import {
  EsimListResponseSchema,
  EsimResponseSchema,
  EsimTopupRequestSchema,
  IccidParamsSchema,
  ListEsimsQuerySchema,
} from '@ttelgo/contracts';
import { z } from 'zod';
import { QR_CACHE_CONTROL } from '../routes/esims.routes';
import { bearerSecurity, commonRequestHeaders, commonResponseHeaders, idempotencyKeyHeader, problemResponses } from './common.openapi';
import { PlacedOrderDoc } from './orders.openapi';

export const EsimDoc = EsimResponseSchema.meta({
  id: 'Esim',
  description: 'An eSIM of the signed-in customer (or vendor), with its install data, activation and every bundle on it.',
});
export const EsimListDoc = EsimListResponseSchema.meta({ id: 'EsimList', description: 'One page of eSIMs, newest first.' });
const EsimTopupDoc = EsimTopupRequestSchema.meta({ id: 'EsimTopupRequest', description: 'Strict: one more bundle on the eSIM of the path.' });

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });
const notFound = 'Another customer\'s eSIM is 404 `ESIM_NOT_FOUND`, exactly like one that does not exist.';

/** `/esims` (customer JWT). */
export function registerEsimsOpenApi(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'get',
    path: '/api/v1/esims',
    operationId: 'listEsims',
    tags: ['eSIMs'],
    summary: 'List my eSIMs',
    security: bearerSecurity,
    request: { query: ListEsimsQuerySchema, headers: commonRequestHeaders },
    responses: {
      200: { description: 'A page of eSIMs.', headers: commonResponseHeaders, ...json(EsimListDoc) },
      ...problemResponses([400, 401, 403, 429, 500, 502, 503, 504]),
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/api/v1/esims/{iccid}',
    operationId: 'getEsim',
    tags: ['eSIMs'],
    summary: 'Get one of my eSIMs',
    description: notFound,
    security: bearerSecurity,
    request: { params: IccidParamsSchema, headers: commonRequestHeaders },
    responses: {
      200: { description: 'The eSIM.', headers: commonResponseHeaders, ...json(EsimDoc) },
      ...problemResponses([400, 401, 403, 404, 429, 500, 502, 503, 504]),
    },
  });

  registry.registerPath({
    method: 'post',
    path: '/api/v1/esims/{iccid}/topups',
    operationId: 'topUpEsim',
    tags: ['eSIMs'],
    summary: 'Top up one of my eSIMs',
    description:
      'Adds a bundle to an eSIM already installed (no new eSIM, no new QR code): an order of kind TOPUP, AWAITING_PAYMENT with its ' +
      'Stripe PaymentIntent, like `POST /orders`. Once paid, the bundle is applied to that eSIM at eSIM Go and the order is COMPLETED; ' +
      'if eSIM Go refuses, the card is refunded. Checked with eSIM Go before any money is taken: 422 `BUNDLE_NOT_COMPATIBLE` for a ' +
      `bundle that cannot go onto that eSIM, 404 \`BUNDLE_NOT_FOUND\` for an unknown bundle. ${notFound} Requires an \`Idempotency-Key\`.`,
    security: bearerSecurity,
    request: { params: IccidParamsSchema, headers: idempotencyKeyHeader(true, 'user'), body: { required: true, ...json(EsimTopupDoc) } },
    responses: {
      201: {
        description: 'The top-up order, awaiting payment.',
        headers: commonResponseHeaders.extend({ Location: z.string().meta({ description: 'URL of the order (`/api/v1/orders/{id}`).' }) }),
        ...json(PlacedOrderDoc),
      },
      ...problemResponses([400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503, 504]),
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/api/v1/esims/{iccid}/qrcode',
    operationId: 'getEsimQrCode',
    tags: ['eSIMs'],
    summary: 'The QR code of one of my eSIMs',
    description: `A PNG encoding the LPA string. ${notFound}`,
    security: bearerSecurity,
    request: { params: IccidParamsSchema, headers: commonRequestHeaders },
    responses: {
      200: {
        description: 'The QR code.',
        headers: commonResponseHeaders.extend({ 'Cache-Control': z.string().meta({ description: `\`${QR_CACHE_CONTROL}\`` }) }),
        content: { 'image/png': { schema: z.string().meta({ format: 'binary' }) } },
      },
      ...problemResponses([400, 401, 403, 404, 429, 500, 502, 503, 504]),
    },
  });
}
