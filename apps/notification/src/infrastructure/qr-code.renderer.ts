import QRCode from 'qrcode';
import type { QrRenderer } from '../application/channels/email/email.ports';

/**
 * Fixed rendering options: the same LPA string always gives the same PNG bytes (tests and support rely on it).
 * Error correction M is what eSIM QR codes conventionally use; 4 modules of quiet zone is the spec minimum.
 * 6 px per module gives about 220 px for a typical LPA (version 3), crisp at the 240 px the mail shows it;
 * PNG encoding cost grows with the pixel count.
 */
export const QR_PNG_OPTIONS = { type: 'png', errorCorrectionLevel: 'M', margin: 4, scale: 6 } as const;

export class QrCodePngRenderer implements QrRenderer {
  png(text: string): Promise<Buffer> {
    // A copy: qrcode writes defaults into the options object it is given.
    return QRCode.toBuffer(text, { ...QR_PNG_OPTIONS });
  }
}
