import jsQR from 'jsqr';
import { PNG } from 'pngjs';

/** Reads a QR code PNG back to its text, as a phone camera would. */
export function decodeQrPng(png: Buffer): string | undefined {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data;
}
