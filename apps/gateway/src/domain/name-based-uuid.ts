import { createHash } from 'node:crypto';

/** Namespace of the webhook ingress's message ids (a fixed random UUID: it only has to be ours). */
export const STRIPE_EVENT_NAMESPACE = '5b0e2f55-2f0c-4c53-9a4f-3f1f4a1d7c21';
/** Namespace of the eSIM Go callback ingress's message ids (name = SHA-256 of the raw alert body). */
export const ESIMGO_CALLBACK_NAMESPACE = 'c3a0d7e4-6b1f-4e58-8d2a-9f7e1b4c5a60';

/**
 * An RFC 9562 version-5 UUID (SHA-1 of namespace + name): the same name always yields the same id. The webhook
 * ingress derives the command's message id from Stripe's event id, so a redelivered event carries the id of the
 * first delivery and payment's inbox drops it.
 */
export function nameBasedUuid(namespace: string, name: string): string {
  const ns = Buffer.from(namespace.replace(/-/g, ''), 'hex');
  if (ns.length !== 16) throw new Error('namespace must be a UUID');
  const bytes = createHash('sha1').update(ns).update(name, 'utf8').digest().subarray(0, 16);
  bytes[6] = (bytes[6]! & 0x0f) | 0x50;
  bytes[8] = (bytes[8]! & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
