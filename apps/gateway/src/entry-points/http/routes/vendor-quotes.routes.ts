import { Router, type RequestHandler } from 'express';
import { QuoteIdParamsSchema, VendorQuoteRequestSchema, type VendorQuoteRequest } from '@ttelgo/contracts';
import { parsed, validateRequest } from '@ttelgo/http';
import { createVendorQuote, getVendorQuote } from '../../../application/vendor-quotes.use-case';
import type { ServiceCaller } from '../../../rpc/service.caller';
import { auditNote } from '../middleware/audit.middleware';
import { audited } from '../middleware/audited.middleware';
import { vendorOf } from '../middleware/vendor-auth.middleware';

export interface VendorQuoteRoutesDeps {
  order: ServiceCaller;
  /** X-API-Key authentication + per-key rate limit. */
  authenticate: RequestHandler;
}

const PRIVATE = 'private, no-store';

/** Quotes (mounted on /api/v1): a basket priced at the reseller's terms, valid 10 minutes, nothing charged. */
export function vendorQuoteRoutes(deps: VendorQuoteRoutesDeps): Router {
  const router = Router();
  const auth = deps.authenticate;

  // No Idempotency-Key: a quote moves no money, and a repeated request only prices the basket again.
  router.post('/vendor/quotes', audited('vendor.quote.create', 'quote'), auth, validateRequest({ body: VendorQuoteRequestSchema }), async (req, res) => {
    const { body } = parsed<unknown, unknown, VendorQuoteRequest>(req);
    const quote = await createVendorQuote(deps.order, vendorOf(req).vendorId, body);
    const note = auditNote(res);
    note.resource = { type: 'quote', id: quote.id };
    note.details = { items: body.items.length, total: quote.total };
    res.setHeader('Cache-Control', PRIVATE);
    res.setHeader('Location', `/api/v1/vendor/quotes/${quote.id}`);
    res.status(201).json(quote);
  });

  router.get('/vendor/quotes/:id', auth, validateRequest({ params: QuoteIdParamsSchema }), async (req, res) => {
    const { id } = parsed<unknown, { id: string }>(req).params;
    res.setHeader('Cache-Control', PRIVATE);
    res.json(await getVendorQuote(deps.order, vendorOf(req).vendorId, id.toLowerCase()));
  });

  return router;
}
