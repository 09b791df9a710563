import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import {
  ListVendorEventsQuerySchema,
  VendorEventIdParamsSchema,
  VendorEventListResponseSchema,
  VendorEventResponseSchema,
  VendorTestWebhookRequestSchema,
} from '@ttelgo/contracts';
import { apiKeySecurity, commonRequestHeaders, idempotencyKeyHeader, problemResponses, vendorResponseHeaders } from './common.openapi';

const VendorEventDoc = VendorEventResponseSchema.meta({
  id: 'VendorEvent',
  description:
    'A webhook event sent or due to the reseller: `payload` is the exact body POSTed (its `id` is the `TtelGo-Event-Id`), ' +
    '`attempts` every POST with the status and the first 512 bytes your endpoint answered.',
});
const VendorEventListDoc = VendorEventListResponseSchema.meta({ id: 'VendorEventList', description: 'One page of the reseller\'s events, newest first.' });
const VendorTestWebhookDoc = VendorTestWebhookRequestSchema.meta({ id: 'VendorTestWebhookRequest' });

const json = <T>(schema: T, example?: unknown) => ({ content: { 'application/json': { schema, ...(example !== undefined ? { example } : {}) } } });
const vendorErrors = (extra: number[] = []) => problemResponses([400, 401, 403, 429, 500, 502, 503, 504, ...extra].sort((a, b) => a - b));

const eventExample = {
  id: '6f1c2a7e-3b0d-4c1e-9a55-0e3f5f2f9b10',
  type: 'order.completed',
  createdAt: '2026-12-08T10:00:00.000Z',
  status: 'SENT',
  test: false,
  nextAttemptAt: null,
  payload: {
    id: '6f1c2a7e-3b0d-4c1e-9a55-0e3f5f2f9b10',
    type: 'order.completed',
    createdAt: '2026-12-08T10:00:00.000Z',
    data: { id: '2b7c0c4e-5a8f-4f0e-8a51-5d3a1c9e7f20', status: 'COMPLETED', kind: 'NEW', iccid: null, bundleName: 'esim_1GB_7D_FR_V2', quantity: 1, total: { amount: 450, currency: 'USD' } },
  },
  attempts: [
    { attemptNo: 1, at: '2026-12-08T10:00:00.050Z', outcome: 'RETRY', url: 'https://reseller.example/hooks', httpStatus: 500, responseBody: 'database down', error: 'HTTP 500: database down', durationMs: 41 },
    { attemptNo: 2, at: '2026-12-08T10:00:10.070Z', outcome: 'SENT', url: 'https://reseller.example/hooks', httpStatus: 204, responseBody: '', error: null, durationMs: 12 },
  ],
};

/** The reseller's event log and test webhooks (X-API-Key). */
export function registerVendorEventsOpenApi(registry: OpenAPIRegistry): void {
  const base = { tags: ['Reseller'], security: apiKeySecurity };

  registry.registerPath({
    ...base,
    method: 'get',
    path: '/api/v1/vendor/events',
    operationId: 'listVendorEvents',
    summary: 'My event log: every webhook sent or due to me, with its attempts',
    description:
      'Every event sent or due to the reseller (`PENDING` ones are being sent or wait for their next attempt), newest first, each ' +
      'with every delivery attempt and what the endpoint answered. `type` keeps one event type. Debug an integration without asking us.',
    request: { query: ListVendorEventsQuerySchema, headers: commonRequestHeaders },
    responses: {
      200: { description: 'A page of events.', headers: vendorResponseHeaders, ...json(VendorEventListDoc, { data: [eventExample], nextCursor: null }) },
      ...vendorErrors(),
    },
  });

  registry.registerPath({
    ...base,
    method: 'get',
    path: '/api/v1/vendor/events/{id}',
    operationId: 'getVendorEvent',
    summary: 'One of my events',
    description: 'Another reseller\'s event is 404 `EVENT_NOT_FOUND`, exactly like one that does not exist.',
    request: { params: VendorEventIdParamsSchema, headers: commonRequestHeaders },
    responses: { 200: { description: 'The event.', headers: vendorResponseHeaders, ...json(VendorEventDoc, eventExample) }, ...vendorErrors([404]) },
  });

  registry.registerPath({
    ...base,
    method: 'post',
    path: '/api/v1/vendor/events/{id}/redeliver',
    operationId: 'redeliverVendorEvent',
    summary: 'Send one of my events again',
    description:
      'One more attempt, now, to the endpoint as it is set now, signed afresh; the body (and its `id`) is unchanged, so deduplicate on ' +
      'it. If it fails it is retried only while the event\'s automatic schedule has attempts left. 404 `EVENT_NOT_FOUND`; 409 ' +
      '`NO_WEBHOOK_ENDPOINT` when no endpoint is set. Requires an `Idempotency-Key`: a retry with the same key sends nothing more.',
    request: { params: VendorEventIdParamsSchema, headers: idempotencyKeyHeader(true, 'vendor') },
    responses: {
      202: { description: 'The redelivery is due now; follow the event for its attempt.', headers: vendorResponseHeaders, ...json(VendorEventDoc, { ...eventExample, status: 'PENDING', nextAttemptAt: '2026-12-08T11:00:00.000Z' }) },
      ...vendorErrors([404, 409, 422]),
    },
  });

  registry.registerPath({
    ...base,
    method: 'post',
    path: '/api/v1/vendor/webhook-endpoint/test',
    operationId: 'sendVendorTestWebhook',
    summary: 'Send a signed sample event to my endpoint',
    description:
      'A sample of any event type, signed like a real one, with data that cannot be mistaken for a real order (`sample_bundle`, the nil ' +
      'UUID, an ICCID of zeros). It appears in the event log with `test: true`. 409 `NO_WEBHOOK_ENDPOINT` when no endpoint is set.',
    request: { headers: commonRequestHeaders, body: { required: true, ...json(VendorTestWebhookDoc, { type: 'esim.usage_threshold' }) } },
    responses: {
      202: {
        description: 'Queued; it goes out within moments. Follow Location for its attempts.',
        headers: vendorResponseHeaders,
        ...json(VendorEventDoc, {
          ...eventExample,
          type: 'esim.usage_threshold',
          status: 'PENDING',
          test: true,
          nextAttemptAt: '2026-12-08T10:00:00.000Z',
          payload: { ...eventExample.payload, type: 'esim.usage_threshold', data: { iccid: '8900000000000000000', bundleName: 'sample_bundle', threshold: 80 } },
          attempts: [],
        }),
      },
      ...vendorErrors([409, 413]),
    },
  });
}
