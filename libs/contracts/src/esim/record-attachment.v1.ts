import { z } from 'zod';
import { defineCommand } from '../define';

/**
 * gateway -> esim-provisioning: eSIM Go's FirstAttachment callback (the eSIM's first network attach: installed and
 * switched on), whose X-Signature-SHA256 the gateway verified. It sets the eSIM's `activatedAt`. eSIM Go's callback
 * carries no time of its own: `attachedAt` is its `timestamp` when present, else the time the gateway received it;
 * the message id is derived from `dedupeKey` (SHA-256 hex of the raw body), so a redelivery is one message.
 */
export const RecordEsimAttachmentV1 = defineCommand(
  'esim.record-attachment.v1',
  z.object({
    iccid: z.string().min(1).max(30),
    attachedAt: z.iso.datetime({ offset: true }),
    receivedAt: z.iso.datetime({ offset: true }),
    dedupeKey: z.string().regex(/^[0-9a-f]{64}$/),
  }),
);
