import { Router, type RequestHandler } from 'express';
import { CompatibleDevicesQuerySchema, IccidParamsSchema, type CompatibleDevicesQuery } from '@ttelgo/contracts';
import { parsed, validateRequest } from '@ttelgo/http';
import { getInstallKit, listCompatibleDevices } from '../../../application/install-kit.use-case';
import { customerOwner } from '../../../application/customer-orders.use-case';
import { vendorOwner } from '../../../application/vendor-orders.use-case';
import type { ApnRule } from '../../../domain/install-kit/apn-rules';
import type { ServiceCaller } from '../../../rpc/service.caller';
import { principalOf, requireRole } from '../middleware/authenticate.middleware';
import { vendorOf } from '../middleware/vendor-auth.middleware';
import { negotiateInstallLanguage } from '../install-language';

export interface InstallKitRoutesDeps {
  esim: ServiceCaller;
  /** JWT authentication (travellers). */
  authenticate: RequestHandler;
  /** X-API-Key authentication + per-key rate limit (resellers). */
  authenticateVendor: RequestHandler;
  apnRules: readonly ApnRule[];
}

/** The kit holds the activation code: like the QR code, it never goes into a shared cache. */
const PRIVATE = 'private, no-store';
/** The device list is public data that changes a few times a year. */
const DEVICES_CACHE_CONTROL = 'public, max-age=3600';

/** Install kits of a traveller's and a reseller's eSIMs, and the eSIM-capable devices (mounted on /api/v1). */
export function installKitRoutes(deps: InstallKitRoutesDeps): Router {
  const router = Router();

  router.get('/esims/:iccid/install', deps.authenticate, requireRole('customer', 'admin'), validateRequest({ params: IccidParamsSchema }), async (req, res) => {
    const { iccid } = parsed<unknown, { iccid: string }>(req).params;
    const language = negotiateInstallLanguage(req, res);
    const kit = await getInstallKit(deps.esim, {
      owner: customerOwner(principalOf(req).userId),
      iccid,
      language,
      apnRules: deps.apnRules,
      qrCodeUrl: `/api/v1/esims/${iccid}/qrcode`,
    });
    res.setHeader('Cache-Control', PRIVATE);
    res.json(kit);
  });

  router.get('/vendor/esims/:iccid/install', deps.authenticateVendor, validateRequest({ params: IccidParamsSchema }), async (req, res) => {
    const { iccid } = parsed<unknown, { iccid: string }>(req).params;
    const language = negotiateInstallLanguage(req, res);
    const kit = await getInstallKit(deps.esim, {
      owner: vendorOwner(vendorOf(req).vendorId),
      iccid,
      language,
      apnRules: deps.apnRules,
      qrCodeUrl: `/api/v1/vendor/esims/${iccid}/qrcode`,
    });
    res.setHeader('Cache-Control', PRIVATE);
    res.json(kit);
  });

  router.get('/devices/compatible', validateRequest({ query: CompatibleDevicesQuerySchema }), (req, res) => {
    const { query } = parsed<CompatibleDevicesQuery>(req);
    res.setHeader('Cache-Control', DEVICES_CACHE_CONTROL);
    res.json(listCompatibleDevices(query));
  });

  return router;
}
