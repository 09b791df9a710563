import { Router, type RequestHandler } from 'express';
import { EsimTopupRequestSchema, IccidParamsSchema, ListEsimsQuerySchema, type EsimTopupRequest, type ListEsimsQuery } from '@ttelgo/contracts';
import { parsed, validateRequest } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
import { getCustomerEsim, getCustomerEsimQrCode, listCustomerEsims } from '../../../application/customer-esims.use-case';
import { placeCustomerTopup } from '../../../application/customer-orders.use-case';
import type { ServiceCaller } from '../../../rpc/service.caller';
import { auditNote } from '../middleware/audit.middleware';
import { audited } from '../middleware/audited.middleware';
import { principalOf, requireRole } from '../middleware/authenticate.middleware';
import { IDEMPOTENCY_KEY_HEADER } from '../middleware/idempotency.middleware';

export interface EsimsRoutesDeps {
  esim: ServiceCaller;
  order: ServiceCaller;
  logger: Logger;
  authenticate: RequestHandler;
  /** The Idempotency-Key middleware (required) for top-ups, the same as for orders. */
  idempotency: RequestHandler;
}

/** The QR code holds the activation secret (matchingId): cached by the owner's browser only, briefly. */
export const QR_CACHE_CONTROL = 'private, max-age=300';
const PRIVATE = 'private, no-store';

/** A customer's eSIMs (mounted on /api/v1). */
export function esimsRoutes(deps: EsimsRoutesDeps): Router {
  const router = Router();
  const customer = [deps.authenticate, requireRole('customer', 'admin')];

  router.get('/esims', ...customer, validateRequest({ query: ListEsimsQuerySchema }), async (req, res) => {
    const { query } = parsed<ListEsimsQuery>(req);
    res.setHeader('Cache-Control', PRIVATE);
    res.json(await listCustomerEsims(deps.esim, { id: principalOf(req).userId }, query));
  });

  router.get('/esims/:iccid', ...customer, validateRequest({ params: IccidParamsSchema }), async (req, res) => {
    const { iccid } = parsed<unknown, { iccid: string }>(req).params;
    res.setHeader('Cache-Control', PRIVATE);
    res.json(await getCustomerEsim(deps.esim, { id: principalOf(req).userId }, iccid));
  });

  router.get('/esims/:iccid/qrcode', ...customer, validateRequest({ params: IccidParamsSchema }), async (req, res) => {
    const { iccid } = parsed<unknown, { iccid: string }>(req).params;
    const png = await getCustomerEsimQrCode(deps.esim, { id: principalOf(req).userId }, iccid);
    res.setHeader('Cache-Control', QR_CACHE_CONTROL);
    res.setHeader('Content-Type', 'image/png');
    res.setHeader('Content-Length', png.length);
    res.end(png);
  });

  // One more bundle on the same eSIM (no new eSIM, no new QR code): an order of kind TOPUP, paid like any order.
  router.post(
    '/esims/:iccid/topups',
    audited('order.topup', 'order'),
    ...customer,
    validateRequest({ params: IccidParamsSchema, body: EsimTopupRequestSchema }),
    deps.idempotency,
    async (req, res) => {
      const principal = principalOf(req);
      const { params, body } = parsed<unknown, { iccid: string }, EsimTopupRequest>(req);
      const note = auditNote(res);
      note.details = { bundleName: body.bundleName, iccid: params.iccid };
      const order = await placeCustomerTopup(deps, { id: principal.userId, email: principal.email }, {
        iccid: params.iccid,
        bundleName: body.bundleName,
        // Validated by the idempotency middleware; the order service is idempotent per (owner, requestKey) too.
        requestKey: req.header(IDEMPOTENCY_KEY_HEADER) as string,
      });
      note.resource = { type: 'order', id: order.id };
      res.setHeader('Cache-Control', PRIVATE);
      res.setHeader('Location', `/api/v1/orders/${order.id}`);
      res.status(201).json(order);
    },
  );

  return router;
}
