import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import { EsimListResponseSchema, EsimResponseSchema, IccidParamsSchema, ListEsimsQuerySchema } from '@ttelgo/contracts';
import { z } from 'zod';
import { QR_CACHE_CONTROL } from '../routes/esims.routes';
import { bearerSecurity, commonRequestHeaders, commonResponseHeaders, problemResponses } from './common.openapi';

export const EsimDoc = EsimResponseSchema.meta({ id: 'Esim', description: 'An eSIM of the signed-in customer, with its install data and usage.' });
const EsimListDoc = EsimListResponseSchema.meta({ id: 'EsimList', description: 'One page of eSIMs, newest first.' });

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
