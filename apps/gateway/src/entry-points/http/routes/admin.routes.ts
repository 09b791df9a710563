import { Router, type RequestHandler } from 'express';
import {
  AdjustmentRequestSchema,
  ApiKeyParamsSchema,
  AuditLogQuerySchema,
  CreateApiKeyRequestSchema,
  CreateVendorRequestSchema,
  ListOrdersQuerySchema,
  OrderIdParamsSchema,
  PageQuerySchema,
  RecordPaymentRequestSchema,
  RefundOrderRequestSchema,
  StatementMonthParamsSchema,
  UpdateVendorRequestSchema,
  VendorIdParamsSchema,
  type AdjustmentRequest,
  type AuditLogQuery,
  type CreateApiKeyRequest,
  type CreateVendorRequest,
  type PageQuery,
  type RecordPaymentRequest,
  type RefundOrderRequest,
  type UpdateVendorRequest,
} from '@ttelgo/contracts';
import { parsed, validateRequest } from '@ttelgo/http';
import { listAuditLog } from '../../../application/audit-log.use-case';
import { refundOrder } from '../../../application/admin-refunds.use-case';
import { getVendorStatement } from '../../../application/vendor-account.use-case';
import {
  adjustVendorBalance,
  createApiKey,
  createVendor,
  getVendor,
  listAllOrders,
  listApiKeys,
  listVendors,
  recordVendorPayment,
  revokeApiKey,
  updateVendor,
  type SandboxAdmin,
} from '../../../application/admin-vendors.use-case';
import {
  DeadLetterIdParamsSchema,
  DeadLetterQuerySchema,
  listDeadLetters,
  replayDeadLetter,
  type DeadLetterPublisher,
  type DeadLetterQuery,
} from '../../../application/dead-letters.use-case';
import type { ApiKeyRepository } from '../../../infrastructure/api-key.repository';
import type { AuditLogRepository } from '../../../infrastructure/audit-log.repository';
import type { DeadLetterRepository } from '../../../infrastructure/dead-letter.repository';
import type { ServiceCaller } from '../../../rpc/service.caller';
import { auditNote } from '../middleware/audit.middleware';
import { audited } from '../middleware/audited.middleware';
import { principalOf, requireRole } from '../middleware/authenticate.middleware';
import { IDEMPOTENCY_KEY_HEADER } from '../middleware/idempotency.middleware';

export interface AdminRoutesDeps {
  billing: ServiceCaller;
  order: ServiceCaller;
  keys: ApiKeyRepository;
  /** The sandbox cell, where test keys' vendors get their test wallet; undefined when the platform has none. */
  sandbox?: SandboxAdmin | undefined;
  auditLog: AuditLogRepository;
  /** Dead letters archived from ttelgo.dead-letters, and the confirm publisher a replay goes through. */
  deadLetters: { repo: DeadLetterRepository; publisher: DeadLetterPublisher };
  authenticate: RequestHandler;
  /** Optional Idempotency-Key (principal `user:<adminId>`) for vendor creation, adjustments and payments. */
  idempotency: RequestHandler;
  /** This replica forgets what it cached about a key / a vendor at once (others within VENDOR_CACHE_TTL_MS). */
  forgetKey: (keyId: string) => void;
  forgetVendor: (vendorId: string) => void;
}

const PRIVATE = 'private, no-store';

/** Operator routes (mounted on /api/v1): a JWT whose account has the admin role; anything else is 401/403. */
export function adminRoutes(deps: AdminRoutesDeps): Router {
  const router = Router();
  const admin = [deps.authenticate, requireRole('admin')];
  router.use('/admin', (_req, res, next) => {
    res.setHeader('Cache-Control', PRIVATE);
    next();
  });

  router.post('/admin/vendors', audited('admin.vendor.create', 'vendor'), ...admin, validateRequest({ body: CreateVendorRequestSchema }), deps.idempotency, async (req, res) => {
    const { body } = parsed<unknown, unknown, CreateVendorRequest>(req);
    const note = auditNote(res);
    note.details = { name: body.name, billingMode: body.billingMode, currency: body.currency };
    const vendor = await createVendor(deps.billing, body, req.header(IDEMPOTENCY_KEY_HEADER));
    note.resource = { type: 'vendor', id: vendor.id };
    res.setHeader('Location', `/api/v1/admin/vendors/${vendor.id}`);
    res.status(201).json(vendor);
  });

  router.get('/admin/vendors', ...admin, validateRequest({ query: PageQuerySchema }), async (req, res) => {
    res.json(await listVendors(deps.billing, parsed<PageQuery>(req).query));
  });

  router.get('/admin/vendors/:id', ...admin, validateRequest({ params: VendorIdParamsSchema }), async (req, res) => {
    res.json(await getVendor(deps.billing, parsed<unknown, { id: string }>(req).params.id.toLowerCase()));
  });

  router.get('/admin/vendors/:id/statements/:month', ...admin, validateRequest({ params: VendorIdParamsSchema.extend(StatementMonthParamsSchema.shape) }), async (req, res) => {
    const { id, month } = parsed<unknown, { id: string; month: string }>(req).params;
    res.json(await getVendorStatement(deps.billing, id.toLowerCase(), month));
  });

  router.patch(
    '/admin/vendors/:id',
    audited('admin.vendor.update', 'vendor'),
    ...admin,
    validateRequest({ params: VendorIdParamsSchema, body: UpdateVendorRequestSchema }),
    async (req, res) => {
      const { params, body } = parsed<unknown, { id: string }, UpdateVendorRequest>(req);
      const vendorId = params.id.toLowerCase();
      const note = auditNote(res);
      note.resource = { type: 'vendor', id: vendorId };
      note.details = { changes: body };
      const vendor = await updateVendor(deps.billing, vendorId, body);
      // vendor-billing also announces billing.vendor-changed.v1 to every replica; this one need not wait for it.
      deps.forgetVendor(vendorId);
      res.json(vendor);
    },
  );

  router.post(
    '/admin/vendors/:id/api-keys',
    audited('admin.api-key.create', 'api_key'),
    ...admin,
    validateRequest({ params: VendorIdParamsSchema, body: CreateApiKeyRequestSchema }),
    async (req, res) => {
      const { params, body } = parsed<unknown, { id: string }, CreateApiKeyRequest>(req);
      const vendorId = params.id.toLowerCase();
      const note = auditNote(res);
      note.details = { vendorId, name: body.name, mode: body.mode ?? 'live' };
      const created = await createApiKey({ billing: deps.billing, keys: deps.keys, sandbox: deps.sandbox }, vendorId, {
        name: body.name,
        createdBy: principalOf(req).userId,
        mode: body.mode,
      });
      // The key id only: the key itself is in this one response and nowhere else.
      note.resource = { type: 'api_key', id: created.id };
      res.status(201).json(created);
    },
  );

  router.get('/admin/vendors/:id/api-keys', ...admin, validateRequest({ params: VendorIdParamsSchema }), async (req, res) => {
    res.json(await listApiKeys(deps.keys, parsed<unknown, { id: string }>(req).params.id.toLowerCase()));
  });

  router.delete('/admin/vendors/:id/api-keys/:keyId', audited('admin.api-key.revoke', 'api_key'), ...admin, validateRequest({ params: ApiKeyParamsSchema }), async (req, res) => {
    const { id, keyId } = parsed<unknown, { id: string; keyId: string }>(req).params;
    const vendorId = id.toLowerCase();
    const note = auditNote(res);
    note.resource = { type: 'api_key', id: keyId };
    note.details = { vendorId };
    await revokeApiKey({ keys: deps.keys, forget: deps.forgetKey }, vendorId, keyId);
    res.status(204).end();
  });

  router.post(
    '/admin/vendors/:id/adjustments',
    audited('admin.vendor.adjust-balance', 'vendor'),
    ...admin,
    validateRequest({ params: VendorIdParamsSchema, body: AdjustmentRequestSchema }),
    deps.idempotency,
    async (req, res) => {
      const { params, body } = parsed<unknown, { id: string }, AdjustmentRequest>(req);
      const vendorId = params.id.toLowerCase();
      const note = auditNote(res);
      note.resource = { type: 'vendor', id: vendorId };
      note.details = { amount: body.amount, reason: body.reason };
      const result = await adjustVendorBalance(deps.billing, vendorId, {
        amount: body.amount,
        reason: body.reason,
        actor: `admin:${principalOf(req).userId}`,
        requestKey: req.header(IDEMPOTENCY_KEY_HEADER),
      });
      note.details = { ...note.details, transactionId: result.transactionId };
      res.status(201).json(result);
    },
  );

  // A POSTPAID vendor's bank transfer: one PAYMENT ledger transaction (vendor-billing refuses PREPAID vendors with
  // 409 PAYMENT_NOT_APPLICABLE). Same shape as adjustments: optional Idempotency-Key = requestKey, else a UUID.
  router.post(
    '/admin/vendors/:id/payments',
    audited('admin.vendor.record-payment', 'vendor'),
    ...admin,
    validateRequest({ params: VendorIdParamsSchema, body: RecordPaymentRequestSchema }),
    deps.idempotency,
    async (req, res) => {
      const { params, body } = parsed<unknown, { id: string }, RecordPaymentRequest>(req);
      const vendorId = params.id.toLowerCase();
      const note = auditNote(res);
      note.resource = { type: 'vendor', id: vendorId };
      note.details = { amount: body.amount, reference: body.reference };
      const result = await recordVendorPayment(deps.billing, vendorId, {
        amount: body.amount,
        reference: body.reference,
        actor: `admin:${principalOf(req).userId}`,
        requestKey: req.header(IDEMPOTENCY_KEY_HEADER),
      });
      note.details = { ...note.details, transactionId: result.transactionId };
      res.status(201).json(result);
    },
  );

  router.get('/admin/orders', ...admin, validateRequest({ query: ListOrdersQuerySchema }), async (req, res) => {
    res.json(await listAllOrders(deps.order, parsed<PageQuery>(req).query));
  });

  // The refund belongs to the order saga (order.refund-order.v1): the bundles are revoked at eSIM Go first, then the
  // order asks payment (card) or vendor-billing (the vendor's charge) and becomes REFUNDED when the money is back.
  // 202 while that is under way, 200 once done, 409 when a used bundle (or a failed revocation) stops it without
  // `force`; asking again returns the same refund (nothing is given back twice).
  router.post(
    '/admin/orders/:id/refund',
    audited('admin.order.refund', 'order'),
    ...admin,
    validateRequest({ params: OrderIdParamsSchema, body: RefundOrderRequestSchema }),
    async (req, res) => {
      const { params, body } = parsed<unknown, { id: string }, RefundOrderRequest>(req);
      const orderId = params.id.toLowerCase();
      const note = auditNote(res);
      note.resource = { type: 'order', id: orderId };
      // A forced refund (a used bundle, or a revocation eSIM Go could not make) is recorded as such in the audit log.
      note.details = { reason: body.reason, force: body.force === true };
      const result = await refundOrder({ order: deps.order }, orderId, { reason: body.reason, requestedBy: `admin:${principalOf(req).userId}`, force: body.force === true });
      note.details = {
        ...note.details,
        refundStatus: result.order.refund?.status ?? null,
        providerRevocation: result.order.refund?.providerRevocation ?? null,
        orderStatus: result.order.status,
      };
      if (result.refused) throw result.refused;
      res.status(result.done ? 200 : 202).json(result.order);
    },
  );

  router.get('/admin/audit-log', ...admin, validateRequest({ query: AuditLogQuerySchema }), async (req, res) => {
    res.json(await listAuditLog(deps.auditLog, parsed<AuditLogQuery>(req).query));
  });

  router.get('/admin/dead-letters', ...admin, validateRequest({ query: DeadLetterQuerySchema }), async (req, res) => {
    res.json(await listDeadLetters(deps.deadLetters.repo, parsed<DeadLetterQuery>(req).query));
  });

  router.post(
    '/admin/dead-letters/:id/replay',
    audited('admin.dead-letter.replay', 'dead_letter'),
    ...admin,
    validateRequest({ params: DeadLetterIdParamsSchema }),
    async (req, res) => {
      const id = parsed<unknown, { id: string }>(req).params.id.toLowerCase();
      const note = auditNote(res);
      note.resource = { type: 'dead_letter', id };
      const result = await replayDeadLetter(deps.deadLetters, id, principalOf(req).userId);
      note.details = { messageId: result.messageId, originalQueue: result.originalQueue };
      res.json(result);
    },
  );

  return router;
}
