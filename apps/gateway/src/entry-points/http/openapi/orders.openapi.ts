import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import {
  ListOrdersQuerySchema,
  OrderIdParamsSchema,
  OrderListResponseSchema,
  OrderResponseSchema,
  PlaceOrderRequestSchema,
  PlacedOrderResponseSchema,
} from '@ttelgo/contracts';
import { z } from 'zod';
import { bearerSecurity, commonRequestHeaders, commonResponseHeaders, problemResponses } from './common.openapi';

const OrderDoc = OrderResponseSchema.meta({ id: 'Order', description: 'An order of the signed-in customer; money in minor units.' });
const OrderListDoc = OrderListResponseSchema.meta({ id: 'OrderList', description: 'One page of orders, newest first; `nextCursor` is null on the last page.' });
export const PlacedOrderDoc = PlacedOrderResponseSchema.meta({
  id: 'PlacedOrder',
  description: 'The order, AWAITING_PAYMENT, with the Stripe PaymentIntent to confirm with Stripe.js.',
});
const PlaceOrderDoc = PlaceOrderRequestSchema.meta({ id: 'PlaceOrderRequest' });

const idempotencyHeaders = commonRequestHeaders.extend({
  'Idempotency-Key': z
    .string()
    .min(1)
    .max(255)
    .meta({
      description:
        'REQUIRED. 1-255 printable ASCII characters (a UUID v4 is a good choice), kept 24 h per user. The same key with the same body ' +
        'replays the first response (`Idempotent-Replayed: true`); with another body it is 422 `IDEMPOTENCY_KEY_REUSED`; while the first ' +
        'request runs it is 409 `IDEMPOTENCY_REQUEST_IN_PROGRESS`. 5xx answers are not kept: retry them with the same key.',
    }),
});

const placedHeaders = commonResponseHeaders.extend({
  Location: z.string().meta({ description: 'URL of the new order.' }),
  'Idempotent-Replayed': z.string().optional().meta({ description: '`true` when this is the stored first response to the key.' }),
});

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });

/** `/orders` (customer JWT). */
export function registerOrdersOpenApi(registry: OpenAPIRegistry): void {
  registry.registerPath({
    method: 'post',
    path: '/api/v1/orders',
    operationId: 'placeOrder',
    tags: ['Orders'],
    summary: 'Buy a bundle',
    description:
      'Places an order priced by the server and returns the Stripe PaymentIntent to confirm. Requires an `Idempotency-Key`: ' +
      'missing is 400 `IDEMPOTENCY_KEY_REQUIRED`.',
    security: bearerSecurity,
    request: { headers: idempotencyHeaders, body: { required: true, ...json(PlaceOrderDoc) } },
    responses: {
      201: { description: 'The order, awaiting payment.', headers: placedHeaders, ...json(PlacedOrderDoc) },
      ...problemResponses([400, 401, 403, 404, 409, 413, 422, 429, 500, 502, 503, 504]),
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/api/v1/orders',
    operationId: 'listOrders',
    tags: ['Orders'],
    summary: 'List my orders',
    security: bearerSecurity,
    request: { query: ListOrdersQuerySchema, headers: commonRequestHeaders },
    responses: {
      200: { description: 'A page of orders.', headers: commonResponseHeaders, ...json(OrderListDoc) },
      ...problemResponses([400, 401, 403, 429, 500, 502, 503, 504]),
    },
  });

  registry.registerPath({
    method: 'get',
    path: '/api/v1/orders/{id}',
    operationId: 'getOrder',
    tags: ['Orders'],
    summary: 'Get one of my orders',
    description:
      'A malformed id (not a UUID) is 400 `VALIDATION_FAILED`; an order that does not exist or belongs to someone else is ' +
      '404 `ORDER_NOT_FOUND` (the two are indistinguishable).',
    security: bearerSecurity,
    request: { params: OrderIdParamsSchema, headers: commonRequestHeaders },
    responses: {
      200: { description: 'The order.', headers: commonResponseHeaders, ...json(OrderDoc) },
      ...problemResponses([400, 401, 403, 404, 429, 500, 502, 503, 504]),
    },
  });
}
