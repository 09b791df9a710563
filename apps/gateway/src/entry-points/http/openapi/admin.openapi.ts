import type { OpenAPIRegistry } from '@asteasolutions/zod-to-openapi';
import {
  AdjustmentRequestSchema,
  AdjustmentResponseSchema,
  AdminOrderListResponseSchema,
  AdminOrderResponseSchema,
  AdminVendorListResponseSchema,
  AdminVendorResponseSchema,
  ApiKeyListResponseSchema,
  ApiKeyParamsSchema,
  AuditLogListResponseSchema,
  AuditLogQuerySchema,
  CreateApiKeyRequestSchema,
  CreateVendorRequestSchema,
  CreatedApiKeyResponseSchema,
  ListOrdersQuerySchema,
  OrderIdParamsSchema,
  PageQuerySchema,
  RecordPaymentRequestSchema,
  RecordPaymentResponseSchema,
  RefundOrderRequestSchema,
  StatementMonthParamsSchema,
  UpdateVendorRequestSchema,
  VendorIdParamsSchema,
} from '@ttelgo/contracts';
import { z } from 'zod';
import {
  DeadLetterIdParamsSchema,
  DeadLetterListResponseSchema,
  DeadLetterQuerySchema,
  DeadLetterReplayResponseSchema,
} from '../../../application/dead-letters.use-case';
import { StatementDoc } from './vendor.openapi';
import { bearerSecurity, commonRequestHeaders, commonResponseHeaders, idempotencyKeyHeader, problemResponses } from './common.openapi';

const VendorDoc = AdminVendorResponseSchema.meta({ id: 'AdminVendor', description: 'A reseller; markup in percent.' });
const VendorListDoc = AdminVendorListResponseSchema.meta({ id: 'AdminVendorList' });
const CreateVendorDoc = CreateVendorRequestSchema.meta({ id: 'CreateVendorRequest' });
const UpdateVendorDoc = UpdateVendorRequestSchema.meta({ id: 'UpdateVendorRequest', description: 'Only the fields given change.' });
const CreatedKeyDoc = CreatedApiKeyResponseSchema.meta({ id: 'CreatedApiKey', description: '`key` is shown in this response only; store it now.' });
const KeyListDoc = ApiKeyListResponseSchema.meta({ id: 'ApiKeyList', description: 'Keys of a vendor, newest first; never secrets.' });
const CreateKeyDoc = CreateApiKeyRequestSchema.meta({ id: 'CreateApiKeyRequest' });
const AdjustmentDoc = AdjustmentRequestSchema.meta({ id: 'AdjustmentRequest' });
const AdjustmentResultDoc = AdjustmentResponseSchema.meta({ id: 'Adjustment' });
const PaymentDoc = RecordPaymentRequestSchema.meta({ id: 'RecordPaymentRequest', description: 'Minor units of the vendor\'s currency; `reference` as on the bank statement.' });
const PaymentResultDoc = RecordPaymentResponseSchema.meta({ id: 'VendorPayment' });
const AdminOrderListDoc = AdminOrderListResponseSchema.meta({ id: 'AdminOrderList' });
const AdminOrderDoc = AdminOrderResponseSchema.meta({ id: 'AdminOrder', description: 'An order with its owner and its refund, if any.' });
const RefundOrderDoc = RefundOrderRequestSchema.meta({ id: 'RefundOrderRequest' });
const AuditLogDoc = AuditLogListResponseSchema.meta({ id: 'AuditLogPage', description: 'Audit records, newest first.' });

const DeadLetterListDoc = DeadLetterListResponseSchema.meta({
  id: 'DeadLetterPage',
  description: 'Dead letters of every consumer queue, newest first. `body` is the parsed JSON when the body is JSON of at most 10 KB, else its text cut at 10 KB (`bodyTruncated`).',
});
const DeadLetterReplayDoc = DeadLetterReplayResponseSchema.meta({ id: 'DeadLetterReplay' });

const json = <T>(schema: T) => ({ content: { 'application/json': { schema } } });
const adminErrors = (extra: number[] = []) => problemResponses([400, 401, 403, 500, 502, 503, 504, ...extra].sort((a, b) => a - b));
const ok = <T extends z.ZodType>(description: string, schema: T) => ({ description, headers: commonResponseHeaders, ...json(schema) });

/** `/admin/*` (JWT, role admin). */
export function registerAdminOpenApi(registry: OpenAPIRegistry): void {
  const base = { tags: ['Admin'], security: bearerSecurity };
  const vendorId = { params: VendorIdParamsSchema, headers: commonRequestHeaders };

  registry.registerPath({
    ...base, method: 'post', path: '/api/v1/admin/vendors', operationId: 'createVendor', summary: 'Onboard a reseller (ACTIVE)',
    request: { headers: idempotencyKeyHeader(false, 'admin'), body: { required: true, ...json(CreateVendorDoc) } },
    responses: { 201: ok('The vendor.', VendorDoc), ...adminErrors([409, 413, 422]) },
  });
  registry.registerPath({
    ...base, method: 'get', path: '/api/v1/admin/vendors', operationId: 'listVendors', summary: 'List resellers',
    request: { query: PageQuerySchema, headers: commonRequestHeaders },
    responses: { 200: ok('A page of vendors.', VendorListDoc), ...adminErrors() },
  });
  registry.registerPath({
    ...base, method: 'get', path: '/api/v1/admin/vendors/{id}', operationId: 'getVendor', summary: 'Get a reseller',
    request: vendorId,
    responses: { 200: ok('The vendor.', VendorDoc), ...adminErrors([404]) },
  });
  registry.registerPath({
    ...base, method: 'get', path: '/api/v1/admin/vendors/{id}/statements/{month}', operationId: 'getStatement', summary: 'A POSTPAID reseller\'s monthly statement',
    description: 'Opening balance, charges (net of refunds), payments, adjustments and closing balance of a calendar month (UTC). 409 `STATEMENT_NOT_AVAILABLE` for a PREPAID vendor; 422 `MONTH_NOT_STARTED` for a future month.',
    request: { params: VendorIdParamsSchema.extend(StatementMonthParamsSchema.shape), headers: commonRequestHeaders },
    responses: { 200: ok('The statement.', StatementDoc), ...adminErrors([404, 409, 422]) },
  });
  registry.registerPath({
    ...base, method: 'patch', path: '/api/v1/admin/vendors/{id}', operationId: 'updateVendor', summary: 'Suspend/reactivate a reseller or change its limits',
    description: 'A suspension takes effect on every gateway replica within 5 s.',
    request: { ...vendorId, body: { required: true, ...json(UpdateVendorDoc) } },
    responses: { 200: ok('The vendor.', VendorDoc), ...adminErrors([404, 413]) },
  });
  registry.registerPath({
    ...base, method: 'post', path: '/api/v1/admin/vendors/{id}/api-keys', operationId: 'createApiKey', summary: 'Issue an API key',
    description:
      '`mode: "test"` issues a sandbox key `ttk_test_<keyId>_<secret>`: the same API, served by the sandbox (simulated eSIM Go and ' +
      'Stripe, never the live providers), with a PREPAID test wallet of 1,000.00 in the vendor\'s currency (credited once, shared ' +
      'by its test keys, topped up with test cards) and data that never appears in live lists, statements or reports. ' +
      '503 `SANDBOX_UNAVAILABLE` on a platform without a sandbox.',
    request: {
      ...vendorId,
      body: {
        required: true,
        content: {
          'application/json': {
            schema: CreateKeyDoc,
            examples: { live: { value: { name: 'production' } }, test: { summary: 'A sandbox key', value: { name: 'integration tests', mode: 'test' } } },
          },
        },
      },
    },
    responses: {
      201: {
        description: 'The key (shown once).',
        headers: commonResponseHeaders,
        content: {
          'application/json': {
            schema: CreatedKeyDoc,
            example: { id: 'k3x9q2m7v1c8b4n6z0aa', key: 'ttk_test_k3x9q2m7v1c8b4n6z0aa_3q2-7wEXAMPLEsecretEXAMPLEsecretEXAMPLEsecr', name: 'integration tests', mode: 'test', createdAt: '2026-12-08T10:00:00.000Z' },
          },
        },
      },
      ...adminErrors([404, 413, 503]),
    },
  });
  registry.registerPath({
    ...base, method: 'get', path: '/api/v1/admin/vendors/{id}/api-keys', operationId: 'listApiKeys', summary: 'List a reseller\'s API keys',
    request: vendorId,
    responses: { 200: ok('The keys, without secrets.', KeyListDoc), ...adminErrors() },
  });
  registry.registerPath({
    ...base, method: 'delete', path: '/api/v1/admin/vendors/{id}/api-keys/{keyId}', operationId: 'revokeApiKey', summary: 'Revoke an API key',
    description: 'Idempotent. The key stops working on every gateway replica within 5 s.',
    request: { params: ApiKeyParamsSchema, headers: commonRequestHeaders },
    responses: { 204: { description: 'Revoked.', headers: commonResponseHeaders }, ...adminErrors([404]) },
  });
  registry.registerPath({
    ...base, method: 'post', path: '/api/v1/admin/vendors/{id}/adjustments', operationId: 'adjustVendorBalance', summary: 'Correct a reseller\'s balance',
    description: 'A new ledger transaction (signed amount, minor units), never an edit.',
    request: { params: VendorIdParamsSchema, headers: idempotencyKeyHeader(false, 'admin'), body: { required: true, ...json(AdjustmentDoc) } },
    responses: { 201: ok('The transaction and the new balance.', AdjustmentResultDoc), ...adminErrors([404, 409, 413, 422]) },
  });
  registry.registerPath({
    ...base, method: 'post', path: '/api/v1/admin/vendors/{id}/payments', operationId: 'recordVendorPayment', summary: 'Record a POSTPAID reseller\'s payment',
    description:
      'Money a POSTPAID reseller paid by bank transfer, as one PAYMENT ledger transaction (what it owes drops, its ' +
      'available balance grows; monthly statements count it under `payments`). More than is owed is recorded as credit ' +
      'in the reseller\'s favour. The same Idempotency-Key records it once. 409 `PAYMENT_NOT_APPLICABLE` for a PREPAID ' +
      'reseller (they top up by card).',
    request: { params: VendorIdParamsSchema, headers: idempotencyKeyHeader(false, 'admin'), body: { required: true, ...json(PaymentDoc) } },
    responses: { 201: ok('The PAYMENT transaction and the new balance.', PaymentResultDoc), ...adminErrors([404, 409, 413, 422]) },
  });
  registry.registerPath({
    ...base, method: 'get', path: '/api/v1/admin/orders', operationId: 'listAllOrders', summary: 'All orders, newest first',
    request: { query: ListOrdersQuerySchema, headers: commonRequestHeaders },
    responses: { 200: ok('A page of orders with their owners.', AdminOrderListDoc), ...adminErrors() },
  });
  registry.registerPath({
    ...base, method: 'post', path: '/api/v1/admin/orders/{id}/refund', operationId: 'refundOrder', summary: 'Refund a completed order in full',
    description:
      'First the order\'s bundles are revoked at eSIM Go (an unused bundle is refunded to the platform\'s eSIM Go balance); ' +
      '`refund.providerRevocation` records what happened: REVOKED, ALREADY_USED or FAILED. The request waits up to 10 s for ' +
      'that answer. A used bundle stops the refund with 409 `BUNDLE_ALREADY_USED`, a revocation eSIM Go could not make with ' +
      '409 `PROVIDER_REVOCATION_FAILED` (`refund.status` REFUSED); send `{"force": true}` to refund anyway (used bundles are ' +
      'then revoked without a credit; the request is audited with `force`). The eSIM views show revoked bundles as REVOKED. ' +
      'Then card orders are refunded to the card (Stripe); vendor orders are credited back to the vendor\'s wallet (PREPAID) or ' +
      'receivable (POSTPAID) as a new REFUND ledger transaction. The order stays COMPLETED with `refund.status` PENDING ' +
      'until the money is back, then it is REFUNDED (the buyer is e-mailed, the vendor gets an `order.refunded` webhook). ' +
      'Asking again returns the same refund; nothing is given back twice. 409 `ORDER_NOT_REFUNDABLE` for an order that ' +
      'is not COMPLETED (never charged, or still in flight), or a vendor order whose charge is not settled yet (retry shortly).',
    request: { params: OrderIdParamsSchema, headers: commonRequestHeaders, body: { required: true, ...json(RefundOrderDoc) } },
    responses: {
      200: ok('The refund is done: the order is REFUNDED.', AdminOrderDoc),
      202: ok('The refund is under way (`refund.status` PENDING); poll GET /admin/orders.', AdminOrderDoc),
      ...adminErrors([404, 409, 413]),
    },
  });
  registry.registerPath({
    ...base, method: 'get', path: '/api/v1/admin/audit-log', operationId: 'listAuditLog', summary: 'The audit trail of state-changing requests',
    request: { query: AuditLogQuerySchema, headers: commonRequestHeaders },
    responses: { 200: ok('A page of audit records.', AuditLogDoc), ...adminErrors() },
  });
  registry.registerPath({
    ...base, method: 'get', path: '/api/v1/admin/dead-letters', operationId: 'listDeadLetters', summary: 'Dead letters of every consumer queue, newest first',
    request: { query: DeadLetterQuerySchema, headers: commonRequestHeaders },
    responses: { 200: ok('A page of dead letters.', DeadLetterListDoc), ...adminErrors() },
  });
  registry.registerPath({
    ...base, method: 'post', path: '/api/v1/admin/dead-letters/{id}/replay', operationId: 'replayDeadLetter',
    summary: 'Publish a dead letter back to its queue, unchanged (once; 409 ALREADY_REPLAYED, 409 DEAD_LETTER_QUEUE_GONE)',
    request: { params: DeadLetterIdParamsSchema, headers: commonRequestHeaders },
    responses: { 200: ok('The dead letter was published back to its queue.', DeadLetterReplayDoc), ...adminErrors([404, 409]) },
  });
}
