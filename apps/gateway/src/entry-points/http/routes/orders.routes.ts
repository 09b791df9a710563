import { Router, type RequestHandler } from 'express';
import {
  ListOrdersQuerySchema,
  OrderIdParamsSchema,
  PlaceOrderRequestSchema,
  type ListOrdersQuery,
  type PlaceOrderRequest,
} from '@ttelgo/contracts';
import { parsed, validateRequest } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
import { getCustomerOrder, listCustomerOrders, placeCustomerOrder } from '../../../application/customer-orders.use-case';
import type { ServiceCaller } from '../../../rpc/service.caller';
import { auditNote } from '../middleware/audit.middleware';
import { audited } from '../middleware/audited.middleware';
import { principalOf, requireRole } from '../middleware/authenticate.middleware';
import { IDEMPOTENCY_KEY_HEADER } from '../middleware/idempotency.middleware';

export interface OrdersRoutesDeps {
  order: ServiceCaller;
  logger: Logger;
  authenticate: RequestHandler;
  /** The Idempotency-Key middleware (required) for POST /orders. */
  idempotency: RequestHandler;
}

const PRIVATE = 'private, no-store';

/** A customer's orders (mounted on /api/v1): JWT of a customer or an admin, each seeing only their own orders. */
export function ordersRoutes(deps: OrdersRoutesDeps): Router {
  const router = Router();
  const customer = [deps.authenticate, requireRole('customer', 'admin')];

  router.post('/orders', audited('order.place', 'order'), ...customer, validateRequest({ body: PlaceOrderRequestSchema }), deps.idempotency, async (req, res) => {
    const principal = principalOf(req);
    const { body } = parsed<unknown, unknown, PlaceOrderRequest>(req);
    const note = auditNote(res);
    note.details = { bundleName: body.bundleName, quantity: body.quantity };
    const order = await placeCustomerOrder(deps, { id: principal.userId, email: principal.email }, {
      bundleName: body.bundleName,
      quantity: body.quantity,
      // Validated by the idempotency middleware; the order service is idempotent per (owner, requestKey) too.
      requestKey: req.header(IDEMPOTENCY_KEY_HEADER) as string,
    });
    note.resource = { type: 'order', id: order.id };
    res.setHeader('Cache-Control', PRIVATE);
    res.setHeader('Location', `/api/v1/orders/${order.id}`);
    res.status(201).json(order);
  });

  router.get('/orders', ...customer, validateRequest({ query: ListOrdersQuerySchema }), async (req, res) => {
    const { query } = parsed<ListOrdersQuery>(req);
    const page = await listCustomerOrders(deps, { id: principalOf(req).userId }, query);
    res.setHeader('Cache-Control', PRIVATE);
    res.json(page);
  });

  router.get('/orders/:id', ...customer, validateRequest({ params: OrderIdParamsSchema }), async (req, res) => {
    const { id } = parsed<unknown, { id: string }>(req).params;
    const order = await getCustomerOrder(deps, { id: principalOf(req).userId }, id.toLowerCase());
    res.setHeader('Cache-Control', PRIVATE);
    res.json(order);
  });

  return router;
}
