/**
 * Install data of an eSIM, derived from what eSIM Go returns (SM-DP+ address and matching id). The LPA string
 * is the standard activation code (SGP.22) and the content of the QR code; the Apple universal link opens the
 * install sheet on iOS 17.4+ with the same activation code.
 */
export interface EsimInstallData {
  iccid: string;
  smdpAddress: string;
  matchingId: string;
}

export interface EsimInstall extends EsimInstallData {
  lpa: string;
  appleInstallUrl: string;
  expiresAt: Date | null;
}

export const APPLE_INSTALL_BASE = 'https://esimsetup.apple.com/esim_qrcode_provisioning';

export function lpaOf(smdpAddress: string, matchingId: string): string {
  return `LPA:1$${smdpAddress}$${matchingId}`;
}

/** Same form as eSIM Go's and 1GLOBAL's links: the activation code as is after `carddata=`. */
export function appleInstallUrlOf(lpa: string): string {
  return `${APPLE_INSTALL_BASE}?carddata=${lpa}`;
}

/**
 * The bundle's validity counted from provisioning: the latest end if it is used at once. eSIM Go starts the
 * duration at first use, so the usage sync replaces it with the provider's end time once the bundle runs.
 * Unknown duration (bundle not in our catalogue copy) => null.
 */
export function expiryOf(provisionedAt: Date, durationDays: number | null | undefined): Date | null {
  if (!durationDays || durationDays <= 0) return null;
  return new Date(provisionedAt.getTime() + durationDays * 86_400_000);
}

export function toInstall(data: EsimInstallData, provisionedAt: Date, durationDays: number | null | undefined): EsimInstall {
  const lpa = lpaOf(data.smdpAddress, data.matchingId);
  return { ...data, lpa, appleInstallUrl: appleInstallUrlOf(lpa), expiresAt: expiryOf(provisionedAt, durationDays) };
}
