import { Router, type RequestHandler } from 'express';
import { IccidParamsSchema, ListEsimsQuerySchema, type PageQuery } from '@ttelgo/contracts';
import { parsed, validateRequest } from '@ttelgo/http';
import { getCustomerEsim, getCustomerEsimQrCode, listCustomerEsims } from '../../../application/customer-esims.use-case';
import type { ServiceCaller } from '../../../rpc/service.caller';
import { principalOf, requireRole } from '../middleware/authenticate.middleware';

export interface EsimsRoutesDeps {
  esim: ServiceCaller;
  authenticate: RequestHandler;
}

/** The QR code holds the activation secret (matchingId): cached by the owner's browser only, briefly. */
export const QR_CACHE_CONTROL = 'private, max-age=300';

/** A customer's eSIMs (mounted on /api/v1). */
export function esimsRoutes(deps: EsimsRoutesDeps): Router {
  const router = Router();
  const customer = [deps.authenticate, requireRole('customer', 'admin')];

  router.get('/esims', ...customer, validateRequest({ query: ListEsimsQuerySchema }), async (req, res) => {
    const { query } = parsed<PageQuery>(req);
    res.setHeader('Cache-Control', 'private, no-store');
    res.json(await listCustomerEsims(deps.esim, { id: principalOf(req).userId }, query));
  });

  router.get('/esims/:iccid', ...customer, validateRequest({ params: IccidParamsSchema }), async (req, res) => {
    const { iccid } = parsed<unknown, { iccid: string }>(req).params;
    res.setHeader('Cache-Control', 'private, no-store');
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

  return router;
}
