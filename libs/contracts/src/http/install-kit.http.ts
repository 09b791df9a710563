import { z } from 'zod';

/** `GET /api/v1/esims/{iccid}/install` and `GET /api/v1/vendor/esims/{iccid}/install`: everything needed to install one eSIM. */
export const InstallKitResponseSchema = z.object({
  iccid: z.string(),
  /** The language of `steps` (from Accept-Language; en, fr, de, es; English otherwise). Also the Content-Language header. */
  language: z.string(),
  /** For manual entry: iPhone asks for the SM-DP+ address and the activation code, Android for the whole LPA string. */
  smdpAddress: z.string(),
  activationCode: z.string(),
  /** `LPA:1$<SM-DP+>$<activation code>`: the content of the QR code. */
  lpa: z.string(),
  /** Apple's one-tap install link (iOS 17.4 or later): `https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=LPA:1$...`. */
  appleInstallUrl: z.url(),
  /** The QR code (PNG) of this eSIM, under the same authentication. */
  qrCodeUrl: z.string(),
  /** The APN to set by hand, when the bundle needs one; null when the profile brings its own. */
  apn: z.string().nullable(),
  steps: z.object({ ios: z.array(z.string()), android: z.array(z.string()) }),
});
export type InstallKitResponse = z.infer<typeof InstallKitResponseSchema>;

export const CompatibleDeviceSchema = z.object({
  brand: z.string(),
  model: z.string(),
  type: z.enum(['phone', 'tablet']),
  /** Regional or carrier exceptions. */
  notes: z.string().optional(),
});

/** `GET /api/v1/devices/compatible`: eSIM-capable devices, as maintained data with its sources and date. */
export const CompatibleDevicesResponseSchema = z.object({
  /** The day the list was last checked (YYYY-MM-DD). */
  updatedAt: z.iso.date(),
  sources: z.array(z.object({ name: z.string(), url: z.url() })),
  data: z.array(CompatibleDeviceSchema),
});
export type CompatibleDevicesResponse = z.infer<typeof CompatibleDevicesResponseSchema>;

export const CompatibleDevicesQuerySchema = z.strictObject({
  /** Only this brand (case-insensitive), e.g. `apple`, `samsung`. */
  brand: z.string().min(1).max(50).regex(/^[A-Za-z0-9 .-]+$/).optional(),
});
export type CompatibleDevicesQuery = z.infer<typeof CompatibleDevicesQuerySchema>;
