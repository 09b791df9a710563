import { Router, type RequestHandler } from 'express';
import {
  ListVendorEventsQuerySchema,
  VendorEventIdParamsSchema,
  VendorTestWebhookRequestSchema,
  type ListVendorEventsQuery,
  type VendorTestWebhookRequest,
} from '@ttelgo/contracts';
import { parsed, validateRequest } from '@ttelgo/http';
import { getVendorEvent, listVendorEvents, redeliverVendorEvent, sendTestWebhook } from '../../../application/vendor-events.use-case';
import type { ServiceCaller } from '../../../rpc/service.caller';
import { auditNote } from '../middleware/audit.middleware';
import { audited } from '../middleware/audited.middleware';
import { vendorOf } from '../middleware/vendor-auth.middleware';

export interface VendorEventRoutesDeps {
  notification: ServiceCaller;
  /** X-API-Key authentication + per-key rate limit. */
  authenticate: RequestHandler;
  /** The Idempotency-Key middleware (required, principal `vendor:<id>`): a retried redelivery sends nothing more. */
  idempotency: RequestHandler;
}

const PRIVATE = 'private, no-store';

/** The reseller's event log and test webhooks (mounted on /api/v1). */
export function vendorEventRoutes(deps: VendorEventRoutesDeps): Router {
  const router = Router();
  const auth = deps.authenticate;

  router.get('/vendor/events', auth, validateRequest({ query: ListVendorEventsQuerySchema }), async (req, res) => {
    const { query } = parsed<ListVendorEventsQuery>(req);
    res.setHeader('Cache-Control', PRIVATE);
    res.json(await listVendorEvents(deps.notification, vendorOf(req).vendorId, query));
  });

  router.get('/vendor/events/:id', auth, validateRequest({ params: VendorEventIdParamsSchema }), async (req, res) => {
    const { id } = parsed<unknown, { id: string }>(req).params;
    res.setHeader('Cache-Control', PRIVATE);
    res.json(await getVendorEvent(deps.notification, vendorOf(req).vendorId, id.toLowerCase()));
  });

  router.post(
    '/vendor/events/:id/redeliver',
    audited('vendor.event.redeliver', 'event'),
    auth,
    validateRequest({ params: VendorEventIdParamsSchema }),
    deps.idempotency,
    async (req, res) => {
      const { id } = parsed<unknown, { id: string }>(req).params;
      auditNote(res).resource = { type: 'event', id: id.toLowerCase() };
      res.setHeader('Cache-Control', PRIVATE);
      res.status(202).json(await redeliverVendorEvent(deps.notification, vendorOf(req).vendorId, id.toLowerCase()));
    },
  );

  router.post(
    '/vendor/webhook-endpoint/test',
    audited('vendor.webhook-endpoint.test', 'event'),
    auth,
    validateRequest({ body: VendorTestWebhookRequestSchema }),
    async (req, res) => {
      const { body } = parsed<unknown, unknown, VendorTestWebhookRequest>(req);
      const event = await sendTestWebhook(deps.notification, vendorOf(req).vendorId, body);
      const note = auditNote(res);
      note.resource = { type: 'event', id: event.id };
      note.details = { type: body.type };
      res.setHeader('Cache-Control', PRIVATE);
      res.setHeader('Location', `/api/v1/vendor/events/${event.id}`);
      res.status(202).json(event);
    },
  );

  return router;
}
