/**
 * eSIM Go answers a refused purchase with 400 `{ message }` and no machine code: the stable code we publish in
 * esim.provisioning-failed.v1 is derived from the message here, the message itself becomes the reason.
 */
export type ProvisioningFailureCode =
  | 'PROVIDER_INSUFFICIENT_BALANCE'
  | 'BUNDLE_UNAVAILABLE'
  | 'BUNDLE_NOT_FOUND'
  | 'PROVIDER_REJECTED';

export function failureCodeOf(providerMessage: string): ProvisioningFailureCode {
  const m = providerMessage.toLowerCase();
  if (m.includes('insufficient') && m.includes('balance')) return 'PROVIDER_INSUFFICIENT_BALANCE';
  if (m.includes('not found') || m.includes('unknown bundle') || m.includes('invalid bundle')) return 'BUNDLE_NOT_FOUND';
  if (m.includes('unavailable') || m.includes('not available')) return 'BUNDLE_UNAVAILABLE';
  return 'PROVIDER_REJECTED';
}
