/**
 * eSIM Go answers a refused purchase with 400 `{ message }` and no machine code: the stable code we publish in
 * esim.provisioning-failed.v1 is derived from the message here, the message itself becomes the reason.
 */
export type ProvisioningFailureCode =
  | 'PROVIDER_INSUFFICIENT_BALANCE'
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
