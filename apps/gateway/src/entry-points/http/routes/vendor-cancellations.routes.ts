import { Router, type RequestHandler } from 'express';
import { OrderIdParamsSchema } from '@ttelgo/contracts';
import { parsed, validateRequest } from '@ttelgo/http';
import { cancelVendorOrder } from '../../../application/vendor-cancellations.use-case';
import type { ServiceCaller } from '../../../rpc/service.caller';
import { auditNote } from '../middleware/audit.middleware';
import { audited } from '../middleware/audited.middleware';
import { vendorOf } from '../middleware/vendor-auth.middleware';

export interface VendorCancellationRoutesDeps {
  order: ServiceCaller;
  /** X-API-Key authentication + per-key rate limit. */
  authenticate: RequestHandler;
  /** The Idempotency-Key middleware (required, principal `vendor:<id>`): money moves. */
  idempotency: RequestHandler;
  /** How long a cancellation waits for eSIM Go and vendor-billing (tests shorten it). */
  waitMs?: number;
}

/** Self-service cancellation of an unused order (mounted on /api/v1). */
export function vendorCancellationRoutes(deps: VendorCancellationRoutesDeps): Router {
  const router = Router();
  router.post(
    '/vendor/orders/:id/cancel',
    audited('vendor.order.cancel', 'order'),
    deps.authenticate,
    validateRequest({ params: OrderIdParamsSchema }),
    deps.idempotency,
    async (req, res) => {
      const id = parsed<unknown, { id: string }>(req).params.id.toLowerCase();
      auditNote(res).resource = { type: 'order', id };
      const { order, done } = await cancelVendorOrder({ order: deps.order, ...(deps.waitMs !== undefined ? { waitMs: deps.waitMs } : {}) }, vendorOf(req).vendorId, id);
      auditNote(res).details = { status: order.status };
      res.setHeader('Cache-Control', 'private, no-store');
      res.setHeader('Location', `/api/v1/vendor/orders/${order.id}`);
      // 200: CANCELLED and the money is back; 202: eSIM Go or vendor-billing has not finished yet, follow Location.
      res.status(done ? 200 : 202).json(order);
    },
  );
  return router;
}
