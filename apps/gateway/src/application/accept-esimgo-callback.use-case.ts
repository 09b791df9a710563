/**
 * eSIM Go usage callback ingress (V3 BundleAlert), the twin of the Stripe ingress: verify X-Signature-SHA256 on
 * the raw bytes, validate the alert, then hand it to esim-provisioning as esim.record-usage.v1 published
 * straight through the confirm channel (the allowed exception to the outbox rule, docs/architecture.md#outbox). eSIM Go gets
 * 200 only once RabbitMQ confirmed the message AND routed it to a queue (mandatory), and 503 otherwise, so it
 * retries. The message id is derived from the SHA-256 of the raw body, so a redelivered alert is a duplicate
 * to esim-provisioning's inbox. FirstAttachment (the eSIM's first network attach) becomes esim.record-attachment.v1
 * the same way (it sets the eSIM's activation). An alert type we do not use (SMSFailed, anything new) is
 * acknowledged and logged, never refused: a 4xx would only make eSIM Go retry something we will never want.
 */
import { createHash } from 'node:crypto';
import {
  ESIMGO_ATTACHMENT_ALERT_TYPE,
  ESIMGO_USAGE_ALERT_TYPES,
  EsimGoAttachmentAlertSchema,
  EsimGoBundleAlertSchema,
  RecordEsimAttachmentV1,
  EsimGoCallbackHeadSchema,
  RecordEsimUsageV1,
  formatIssues,
  type DataOf,
} from '@ttelgo/contracts';
import { AppError } from '@ttelgo/http';
import type { ConfirmPublisher } from '@ttelgo/messaging';
import type { Logger } from '@ttelgo/observability';
import { toBytes, usageStateOfAlert } from '../domain/esimgo-alert';
import { ESIMGO_CALLBACK_NAMESPACE, nameBasedUuid } from '../domain/name-based-uuid';
import type { EsimGoSignatureVerifier } from '../infrastructure/esimgo-signature.verifier';
import { RETRY_AFTER_SECONDS } from '../rpc/rpc-error.mapper';
import { handOverWebhook } from './webhook-handover';

export type RecordEsimUsage = DataOf<typeof RecordEsimUsageV1>;

export type EsimGoCallbackOutcome =
  | { kind: 'handed-over'; iccid: string; alertType: string; messageId: string }
  | { kind: 'ignored'; iccid: string | null; alertType: string };

export const invalidEsimGoSignature = () =>
  new AppError('INVALID_SIGNATURE', 400, 'The X-Signature-SHA256 header is missing or does not match the payload.');

/** Without a signing key nothing can be verified, and nothing unsigned is ever accepted: 503, eSIM Go retries. */
export const esimGoWebhookNotConfigured = () =>
  new AppError('WEBHOOK_NOT_CONFIGURED', 503, 'eSIM Go callbacks are not accepted right now; retry later.', {
    headers: { 'Retry-After': RETRY_AFTER_SECONDS },
  });

const notJson = () => new AppError('INVALID_PAYLOAD', 400, 'The callback body is not JSON.');
const invalidAlert = (detail: string, errors: Array<{ path: string; message: string }>) =>
  new AppError('VALIDATION_FAILED', 400, detail, { errors });

/** The message id of an alert: the same raw body always gives the same id. */
export function esimGoAlertMessageId(dedupeKey: string): string {
  return nameBasedUuid(ESIMGO_CALLBACK_NAMESPACE, dedupeKey);
}

export function alertDedupeKey(rawBody: Buffer): string {
  return createHash('sha256').update(rawBody).digest('hex');
}

export async function acceptEsimGoCallback(
  deps: { verifier: EsimGoSignatureVerifier | undefined; publisher: Pick<ConfirmPublisher, 'publish'>; logger: Logger; now?: () => Date },
  input: { rawBody: Buffer | undefined; signature: string | undefined; correlationId: string },
  onVerified: (alert: { iccid: string | null; alertType: string }) => void = () => undefined,
): Promise<EsimGoCallbackOutcome> {
  if (!deps.verifier) {
    deps.logger.error('eSIM Go callback refused: ESIMGO_CALLBACK_SIGNING_KEY is not set (503, eSIM Go retries)');
    throw esimGoWebhookNotConfigured();
  }
  if (!input.rawBody || input.rawBody.length === 0 || !deps.verifier.verify(input.rawBody, input.signature)) {
    deps.logger.warn({ hasSignature: input.signature !== undefined }, 'eSIM Go callback refused: invalid signature');
    throw invalidEsimGoSignature();
  }
  const receivedAt = (deps.now ?? (() => new Date()))();

  let body: unknown;
  try {
    body = JSON.parse(input.rawBody.toString('utf8'));
  } catch {
    throw notJson();
  }
  const head = EsimGoCallbackHeadSchema.safeParse(body);
  if (!head.success) throw invalidAlert('The callback has no alertType.', formatIssues(head.error));
  const { alertType } = head.data;
  const rawIccid = (body as { iccid?: unknown }).iccid;
  const iccid = typeof rawIccid === 'string' ? rawIccid.slice(0, 30) : null;

  if (alertType === ESIMGO_ATTACHMENT_ALERT_TYPE) {
    const parsed = EsimGoAttachmentAlertSchema.safeParse(body);
    if (!parsed.success) {
      deps.logger.warn({ alertType, iccid, issues: formatIssues(parsed.error) }, 'eSIM Go attachment alert refused: malformed');
      throw invalidAlert('The FirstAttachment alert does not have the expected shape.', formatIssues(parsed.error));
    }
    onVerified({ iccid: parsed.data.iccid, alertType });
    const dedupeKey = alertDedupeKey(input.rawBody);
    const envelope = await handOverWebhook(
      deps,
      RecordEsimAttachmentV1,
      {
        iccid: parsed.data.iccid,
        attachedAt: parsed.data.timestamp ? new Date(parsed.data.timestamp).toISOString() : receivedAt.toISOString(),
        receivedAt: receivedAt.toISOString(),
        dedupeKey,
      },
      { id: esimGoAlertMessageId(dedupeKey), correlationId: input.correlationId, what: 'eSIM Go first attachment', logFields: { iccid: parsed.data.iccid, alertType } },
    );
    return { kind: 'handed-over', iccid: parsed.data.iccid, alertType, messageId: envelope.id };
  }

  if (!(ESIMGO_USAGE_ALERT_TYPES as readonly string[]).includes(alertType)) {
    onVerified({ iccid, alertType });
    deps.logger.info({ alertType, iccid }, 'eSIM Go callback of a type we do not use: acknowledged, not handed over');
    return { kind: 'ignored', iccid, alertType };
  }

  const parsed = EsimGoBundleAlertSchema.safeParse(body);
  if (!parsed.success) {
    deps.logger.warn({ alertType, iccid, issues: formatIssues(parsed.error) }, 'eSIM Go usage alert refused: malformed');
    throw invalidAlert('The usage alert does not have the expected shape.', formatIssues(parsed.error));
  }
  const alert = parsed.data;
  onVerified({ iccid: alert.iccid, alertType });

  const { bundle } = alert;
  const initialBytes = toBytes(bundle.initialQuantity);
  const remainingBytes = Math.min(toBytes(bundle.remainingQuantity), initialBytes);
  const unlimited = bundle.unlimited ?? false;
  const dedupeKey = alertDedupeKey(input.rawBody);
  const data: RecordEsimUsage = {
    iccid: alert.iccid,
    alertType,
    bundleName: bundle.name,
    assignmentId: bundle.id === undefined || bundle.id === null ? null : String(bundle.id),
    assignmentReference: bundle.reference ?? null,
    initialBytes,
    remainingBytes,
    unlimited,
    state: usageStateOfAlert({ remainingBytes, unlimited }),
    bundleStartsAt: bundle.startTime ? new Date(bundle.startTime).toISOString() : null,
    bundleEndsAt: bundle.endTime ? new Date(bundle.endTime).toISOString() : null,
    alertedAt: alert.timestamp ? new Date(alert.timestamp).toISOString() : receivedAt.toISOString(),
    receivedAt: receivedAt.toISOString(),
    dedupeKey,
  };

  const envelope = await handOverWebhook(deps, RecordEsimUsageV1, data, {
    id: esimGoAlertMessageId(dedupeKey),
    correlationId: input.correlationId,
    what: 'eSIM Go usage alert',
    logFields: { iccid: alert.iccid, alertType, remainingBytes },
  });
  return { kind: 'handed-over', iccid: alert.iccid, alertType, messageId: envelope.id };
}
