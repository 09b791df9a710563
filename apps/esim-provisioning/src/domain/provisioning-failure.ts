/**
 * eSIM Go answers a refused purchase with 400 `{ message }` and no machine code: the stable code we publish in
 * esim.provisioning-failed.v1 is derived from the message here, the message itself becomes the reason.
 */
export type ProvisioningFailureCode =
  | 'PROVIDER_INSUFFICIENT_BALANCE'
  /** eSIM Go's 403 for an organisation that "does not have any available Bundles left". */
  | 'PROVIDER_NO_BUNDLES_LEFT'
  /** No eSIM within PROVISIONING_DEADLINE_MS, and eSIM Go holds no order for it: never bought late. */
  | 'PROVISIONING_DEADLINE_EXCEEDED'
  | 'BUNDLE_UNAVAILABLE'
  | 'BUNDLE_NOT_FOUND'
  | 'BUNDLE_NOT_COMPATIBLE'
  | 'ESIM_NOT_FOUND'
  | 'PROVIDER_REJECTED';

export function failureCodeOf(providerMessage: string): ProvisioningFailureCode {
  const m = providerMessage.toLowerCase();
  if (m.includes('insufficient') && m.includes('balance')) return 'PROVIDER_INSUFFICIENT_BALANCE';
  // A top-up whose bundle cannot go onto that eSIM (another network); checked before payment, refused here only
  // when eSIM Go changed its mind in between.
  if (m.includes('not compatible') || m.includes('incompatible')) return 'BUNDLE_NOT_COMPATIBLE';
  // A top-up onto an eSIM eSIM Go no longer holds for us.
  if (m.includes('esim not found')) return 'ESIM_NOT_FOUND';
  if (m.includes('not found') || m.includes('unknown bundle') || m.includes('invalid bundle')) return 'BUNDLE_NOT_FOUND';
  if (m.includes('unavailable') || m.includes('not available')) return 'BUNDLE_UNAVAILABLE';
  return 'PROVIDER_REJECTED';
}

/**
 * eSIM Go answers 403 both for a key it refuses ("Unauthorised - returned when the api token is invalid") and for an
 * organisation that cannot buy ("the user does not have any available Bundles left", a balance or credit problem),
 * with nothing but the message to tell them apart. An account fault fails the order (a refund or release follows);
 * anything else is our configuration (key, IP allow-list): provisioning pauses and an operator is alerted. The exact
 * texts are not documented, so an unrecognised 403 counts as configuration: nothing is bought meanwhile, and the
 * provisioning deadline still settles the order.
 */
export function forbiddenKindOf(providerMessage: string): { kind: 'account'; code: ProvisioningFailureCode } | { kind: 'authorisation' } {
  const m = providerMessage.toLowerCase();
  if (/bundles?\s+left|no\s+(available\s+)?bundles/.test(m)) return { kind: 'account', code: 'PROVIDER_NO_BUNDLES_LEFT' };
  if (/balance|credit|funds/.test(m)) return { kind: 'account', code: 'PROVIDER_INSUFFICIENT_BALANCE' };
  return { kind: 'authorisation' };
}
