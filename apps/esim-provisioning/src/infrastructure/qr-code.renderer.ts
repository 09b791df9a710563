/**
 * QR code PNGs of LPA activation codes, rendered with `qrcode`. The options are fixed (and exported) so the
 * same LPA always renders to the same bytes: the cache in `esims.qr_png` can be checked against a fresh render.
 */
import QRCode from 'qrcode';

export const QR_PNG_OPTIONS = {
  type: 'png',
  // M is what eSIM vendors print: readable from a screen photo, still a small symbol for ~50 characters.
  errorCorrectionLevel: 'M',
  margin: 2,
  // 300 px: scannable from a phone screen or print; the PNG stays around 2 kB.
  width: 300,
} as const satisfies QRCode.QRCodeToBufferOptions;

export function renderQrPng(lpa: string): Promise<Buffer> {
  return QRCode.toBuffer(lpa, QR_PNG_OPTIONS);
}
