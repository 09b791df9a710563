import { z } from 'zod';
import { defineCommand } from '../define';

/**
 * gateway -> esim-provisioning: one eSIM Go usage alert (V3 BundleAlert callback) whose X-Signature-SHA256 the
 * gateway verified, in our words. Quantities are integer bytes (eSIM Go sends bytes in V3). eSIM Go's alert has
 * no id and no time of its own: `alertedAt` is its `timestamp` when it carries one, else the time the gateway
 * received it; `dedupeKey` is the SHA-256 (hex) of the raw body, and the message id is derived from it, so an
 * alert delivered twice is one message to the inbox. `state` is derived by the gateway (Depleted when nothing
 * is left of a limited bundle, else Active: an alert means data was used).
 */
export const RecordEsimUsageV1 = defineCommand(
  'esim.record-usage.v1',
  z.object({
    iccid: z.string().min(1).max(30),
    alertType: z.string().min(1).max(100),
    bundleName: z.string().min(1).max(200),
    /** eSIM Go's assignment id (`bundle.id`) and reference (`bundle.reference`), when the alert has them. */
    assignmentId: z.string().min(1).max(200).nullable(),
    assignmentReference: z.string().min(1).max(200).nullable(),
    initialBytes: z.number().int().min(0),
    remainingBytes: z.number().int().min(0),
    unlimited: z.boolean(),
    state: z.string().min(1).max(50),
    bundleStartsAt: z.iso.datetime({ offset: true }).nullable(),
    bundleEndsAt: z.iso.datetime({ offset: true }).nullable(),
    alertedAt: z.iso.datetime({ offset: true }),
    receivedAt: z.iso.datetime({ offset: true }),
    dedupeKey: z.string().regex(/^[0-9a-f]{64}$/),
  }),
);
