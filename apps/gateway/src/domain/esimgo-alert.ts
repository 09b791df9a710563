/**
 * eSIM Go usage alerts in our words. Pure functions: no I/O, no framework.
 */

/** Quantities in a V3 alert are bytes; a fractional value (older callback versions sent floats) is rounded. */
export function toBytes(quantity: number): number {
  return Math.round(quantity);
}

/**
 * The bundle state an alert implies. eSIM Go does not send one with the alert: a usage alert means data was
 * used (Active), and nothing left of a limited bundle is Depleted. Expiry is not derived here: the pull refresh
 * and the bundle's end time tell that.
 */
export function usageStateOfAlert(alert: { remainingBytes: number; unlimited: boolean }): 'Active' | 'Depleted' {
  return alert.remainingBytes === 0 && !alert.unlimited ? 'Depleted' : 'Active';
}
