import { Router, type Request, type RequestHandler, type Response } from 'express';
import {
  IccidParamsSchema,
  ListBundlesQuerySchema,
  ListEsimsQuerySchema,
  VendorEsimTopupRequestSchema,
  type ListEsimsQuery,
  type VendorEsimTopupRequest,
  ListOrdersQuerySchema,
  OrderIdParamsSchema,
  PageQuerySchema,
  StatementMonthParamsSchema,
  VendorPlaceOrderRequestSchema,
  VendorTopupRequestSchema,
  VendorWebhookEndpointRequestSchema,
  type ListBundlesQuery,
  type PageQuery,
  type VendorPlaceOrderRequest,
  type VendorTopupRequest,
  type VendorWebhookEndpointRequest,
} from '@ttelgo/contracts';
import { parsed, validateRequest } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
import { getOwnedEsim, getOwnedEsimQrCode, listOwnedEsims } from '../../../application/customer-esims.use-case';
import {
  createVendorTopup,
  getVendorBalance,
  getVendorStatement,
  listVendorBundles,
  listVendorLedger,
  setVendorWebhookEndpoint,
} from '../../../application/vendor-account.use-case';
import { getVendorOrder, listVendorOrders, placeVendorOrder, vendorOwner } from '../../../application/vendor-orders.use-case';
import { exportOrderQrCodes } from '../../../application/vendor-qr-export.use-case';
import type { ServiceCaller } from '../../../rpc/service.caller';
import { auditNote } from '../middleware/audit.middleware';
import { audited } from '../middleware/audited.middleware';
import { IDEMPOTENCY_KEY_HEADER } from '../middleware/idempotency.middleware';
import { vendorOf } from '../middleware/vendor-auth.middleware';
import { preferredWaitSeconds } from '../prefer-wait';
import { QR_CACHE_CONTROL } from './esims.routes';

export interface VendorRoutesDeps {
  order: ServiceCaller;
  esim: ServiceCaller;
  billing: ServiceCaller;
  notification: ServiceCaller;
  logger: Logger;
  /** X-API-Key authentication + per-key rate limit. */
  authenticate: RequestHandler;
  /** The Idempotency-Key middleware (required, principal `vendor:<id>`) for orders and top-ups. */
  idempotency: RequestHandler;
  /** `Prefer: wait` polling interval bounds (tests shorten them). */
  pollMinMs?: number;
  pollMaxMs?: number;
}

const PRIVATE = 'private, no-store';

/** The reseller API (mounted on /api/v1): every route acts for the vendor of the API key, and only for it. */
export function vendorRoutes(deps: VendorRoutesDeps): Router {
  const router = Router();
  const auth = deps.authenticate;
  const orderDeps = {
    order: deps.order,
    esim: deps.esim,
    logger: deps.logger,
    ...(deps.pollMinMs !== undefined ? { pollMinMs: deps.pollMinMs } : {}),
    ...(deps.pollMaxMs !== undefined ? { pollMaxMs: deps.pollMaxMs } : {}),
  };

  router.get('/vendor/bundles', auth, validateRequest({ query: ListBundlesQuerySchema }), async (req, res) => {
    const { query } = parsed<ListBundlesQuery>(req);
    const page = await listVendorBundles(deps.esim, vendorOf(req).vendor.markupBps, query);
    // Vendor prices: never in a shared cache, never in the public catalogue cache.
    res.setHeader('Cache-Control', PRIVATE);
    res.json(page);
  });

  /** Places an order or a top-up, honours `Prefer: wait=N`: 201 when it reached its final status, 202 while it runs. */
  const placeAndAnswer = async (
    req: Request,
    res: Response,
    input: { bundleName: string; quantity: number; customerReference?: string | undefined; topupOf?: { iccid: string } },
  ): Promise<void> => {
    const vendor = vendorOf(req);
    const note = auditNote(res);
    const waitSeconds = preferredWaitSeconds(req.headers['prefer']);
    let clientGone = false;
    res.once('close', () => (clientGone = !res.writableFinished));
    const { order, terminal } = await placeVendorOrder(
      orderDeps,
      vendor.vendorId,
      // Validated by the idempotency middleware; the order service is idempotent per (owner, requestKey) too.
      { ...input, requestKey: req.header(IDEMPOTENCY_KEY_HEADER) as string },
      { ms: (waitSeconds ?? 0) * 1000, cancelled: () => clientGone },
    );
    note.resource = { type: 'order', id: order.id };
    note.details = { ...note.details, status: order.status };
    res.setHeader('Cache-Control', PRIVATE);
    res.setHeader('Location', `/api/v1/vendor/orders/${order.id}`);
    if (waitSeconds !== undefined) {
      res.setHeader('Preference-Applied', `wait=${waitSeconds}`);
      res.setHeader('Vary', 'Prefer');
    }
    // 201: the order reached its final status; 202: accepted and still running, follow Location.
    res.status(terminal ? 201 : 202).json(order);
  };

  router.post(
    '/vendor/orders',
    audited('vendor.order.place', 'order'),
    auth,
    validateRequest({ body: VendorPlaceOrderRequestSchema }),
    deps.idempotency,
    async (req, res) => {
      const { body } = parsed<unknown, unknown, VendorPlaceOrderRequest>(req);
      auditNote(res).details = { bundleName: body.bundleName, quantity: body.quantity };
      await placeAndAnswer(req, res, { bundleName: body.bundleName, quantity: body.quantity, customerReference: body.customerReference });
    },
  );

  // One more bundle on one of the vendor's eSIMs: the B2B saga (hold, apply, capture) for an order of kind TOPUP.
  router.post(
    '/vendor/esims/:iccid/topups',
    audited('vendor.order.topup', 'order'),
    auth,
    validateRequest({ params: IccidParamsSchema, body: VendorEsimTopupRequestSchema }),
    deps.idempotency,
    async (req, res) => {
      const { params, body } = parsed<unknown, { iccid: string }, VendorEsimTopupRequest>(req);
      auditNote(res).details = { bundleName: body.bundleName, iccid: params.iccid };
      await placeAndAnswer(req, res, { bundleName: body.bundleName, quantity: 1, customerReference: body.customerReference, topupOf: { iccid: params.iccid } });
    },
  );

  router.get('/vendor/esims', auth, validateRequest({ query: ListEsimsQuerySchema }), async (req, res) => {
    const { query } = parsed<ListEsimsQuery>(req);
    res.setHeader('Cache-Control', PRIVATE);
    res.json(await listOwnedEsims(deps.esim, vendorOwner(vendorOf(req).vendorId), query));
  });

  router.get('/vendor/orders', auth, validateRequest({ query: ListOrdersQuerySchema }), async (req, res) => {
    const { query } = parsed<PageQuery>(req);
    res.setHeader('Cache-Control', PRIVATE);
    res.json(await listVendorOrders(orderDeps, vendorOf(req).vendorId, query));
  });

  router.get('/vendor/orders/:id', auth, validateRequest({ params: OrderIdParamsSchema }), async (req, res) => {
    const { id } = parsed<unknown, { id: string }>(req).params;
    res.setHeader('Cache-Control', PRIVATE);
    res.json(await getVendorOrder(orderDeps, vendorOf(req).vendorId, id.toLowerCase()));
  });

  // Every QR code of a COMPLETED order as a ZIP of PNGs plus esims.csv.
  router.get('/vendor/orders/:id/qrcodes.zip', auth, validateRequest({ params: OrderIdParamsSchema }), async (req, res) => {
    const id = parsed<unknown, { id: string }>(req).params.id.toLowerCase();
    const zip = await exportOrderQrCodes(orderDeps, vendorOf(req).vendorId, id);
    res.setHeader('Cache-Control', PRIVATE);
    res.setHeader('Content-Type', 'application/zip');
    res.setHeader('Content-Disposition', `attachment; filename="order-${id}-qrcodes.zip"`);
    res.setHeader('Content-Length', zip.length);
    res.end(zip);
  });

  router.get('/vendor/esims/:iccid', auth, validateRequest({ params: IccidParamsSchema }), async (req, res) => {
    const { iccid } = parsed<unknown, { iccid: string }>(req).params;
    res.setHeader('Cache-Control', PRIVATE);
    res.json(await getOwnedEsim(deps.esim, vendorOwner(vendorOf(req).vendorId), iccid));
  });

  router.get('/vendor/esims/:iccid/qrcode', auth, validateRequest({ params: IccidParamsSchema }), async (req, res) => {
    const { iccid } = parsed<unknown, { iccid: string }>(req).params;
    const png = await getOwnedEsimQrCode(deps.esim, vendorOwner(vendorOf(req).vendorId), iccid);
    res.setHeader('Cache-Control', QR_CACHE_CONTROL);
    res.setHeader('Content-Type', 'image/png');
    res.setHeader('Content-Length', png.length);
    res.end(png);
  });

  router.get('/vendor/balance', auth, async (req, res) => {
    res.setHeader('Cache-Control', PRIVATE);
    res.json(await getVendorBalance(deps.billing, vendorOf(req).vendorId));
  });

  router.get('/vendor/ledger', auth, validateRequest({ query: PageQuerySchema }), async (req, res) => {
    const { query } = parsed<PageQuery>(req);
    res.setHeader('Cache-Control', PRIVATE);
    res.json(await listVendorLedger(deps.billing, vendorOf(req).vendorId, query));
  });

  router.get('/vendor/statements/:month', auth, validateRequest({ params: StatementMonthParamsSchema }), async (req, res) => {
    const { month } = parsed<unknown, { month: string }>(req).params;
    res.setHeader('Cache-Control', PRIVATE);
    res.json(await getVendorStatement(deps.billing, vendorOf(req).vendorId, month));
  });

  router.post('/vendor/topups', audited('vendor.topup.create', 'topup'), auth, validateRequest({ body: VendorTopupRequestSchema }), deps.idempotency, async (req, res) => {
    const { body } = parsed<unknown, unknown, VendorTopupRequest>(req);
    const note = auditNote(res);
    note.details = { amount: body.amount };
    const topup = await createVendorTopup(deps.billing, vendorOf(req).vendorId, { amount: body.amount, requestKey: req.header(IDEMPOTENCY_KEY_HEADER) as string });
    note.resource = { type: 'topup', id: topup.topupId };
    res.setHeader('Cache-Control', PRIVATE);
    res.status(201).json(topup);
  });

  router.put(
    '/vendor/webhook-endpoint',
    audited('vendor.webhook-endpoint.set', 'webhook_endpoint'),
    auth,
    validateRequest({ body: VendorWebhookEndpointRequestSchema }),
    async (req, res) => {
      const vendor = vendorOf(req);
      const { body } = parsed<unknown, unknown, VendorWebhookEndpointRequest>(req);
      const note = auditNote(res);
      // The URL is the vendor's own configuration, not a secret; the signing secret never goes into the audit log.
      note.details = { url: body.url, rotateSecret: body.rotateSecret === true };
      note.resource = { type: 'webhook_endpoint', id: vendor.vendorId };
      res.setHeader('Cache-Control', PRIVATE);
      res.json(await setVendorWebhookEndpoint(deps.notification, vendor.vendorId, body));
    },
  );

  return router;
}
