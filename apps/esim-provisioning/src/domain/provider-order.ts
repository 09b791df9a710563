/**
 * The provider order: our record of buying eSIMs at eSIM Go for one of our orders. eSIM Go has no idempotency
 * key, so "never buy twice" is decided here, from what we recorded before calling it:
 *
 *   REQUESTED  recorded before any call; attempts = POSTs that may have reached eSIM Go
 *   UNKNOWN    a POST got no answer: it may or may not have bought (reconcile before anything else)
 *   COMPLETED  eSIMs stored, esim.provisioned.v1 emitted (terminal)
 *   FAILED     eSIM Go refused the purchase for good, esim.provisioning-failed.v1 emitted (terminal)
 */
export type ProviderOrderState = 'REQUESTED' | 'UNKNOWN' | 'COMPLETED' | 'FAILED';

export interface EsimOwner {
  type: 'customer' | 'vendor';
  id: string;
}

/** NEW: buy `quantity` new eSIMs with the bundle; TOPUP: apply one bundle to the eSIM `iccid` we already hold. */
export type ProvisionKind = 'NEW' | 'TOPUP';

export interface ProvisionRequest {
  orderId: string;
  owner: EsimOwner;
  kind: ProvisionKind;
  /** TOPUP: the eSIM the bundle goes onto; null for NEW. */
  iccid: string | null;
  bundleName: string;
  quantity: number;
}

export interface ProviderOrder extends ProvisionRequest {
  state: ProviderOrderState;
  attempts: number;
  providerReference: string | null;
  failureCode: string | null;
  failureReason: string | null;
  correlationId: string | null;
  requestedAt: Date;
  lastAttemptAt: Date | null;
  completedAt: Date | null;
}

export type NextStep =
  /** Terminal: nothing to do at eSIM Go (the outcome event may be re-emitted). */
  | { kind: 'completed' }
  | { kind: 'failed' }
  /** Bought (or adopted) already, install data not stored yet: fetch it, never buy. */
  | { kind: 'fetch-install-data'; providerReference: string }
  /** A POST may have reached eSIM Go: look the order up there first; buy only if it is not found. */
  | { kind: 'reconcile' }
  /** Nothing was ever sent: buy. */
  | { kind: 'buy' };

export function nextStep(order: ProviderOrder): NextStep {
  if (order.state === 'COMPLETED') return { kind: 'completed' };
  if (order.state === 'FAILED') return { kind: 'failed' };
  if (order.providerReference) return { kind: 'fetch-install-data', providerReference: order.providerReference };
  // REQUESTED with attempts > 0 is reconciled too: a 5xx answer to a POST, or a crash between sending it and
  // recording the outcome, may have left an order at eSIM Go just like a timeout does.
  if (order.state === 'UNKNOWN' || order.attempts > 0) return { kind: 'reconcile' };
  return { kind: 'buy' };
}

/** A second command for the same order must ask for the same thing; anything else is a bug upstream. */
export function sameRequest(order: ProvisionRequest, request: ProvisionRequest): boolean {
  return (
    order.orderId === request.orderId &&
    order.owner.type === request.owner.type &&
    order.owner.id === request.owner.id &&
    order.kind === request.kind &&
    order.iccid === request.iccid &&
    order.bundleName === request.bundleName &&
    order.quantity === request.quantity
  );
}

/**
 * When the reconcile job may look at an unfinished order again: at least a minute after the last try, growing
 * with the attempts (capped at 30 minutes) so a long provider outage is not hammered.
 */
export function nextCheckDelayMs(attempts: number): number {
  return Math.min(30 * 60_000, 60_000 * 2 ** Math.max(0, Math.min(attempts, 10) - 1));
}
