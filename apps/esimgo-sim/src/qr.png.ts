/**
 * QR code PNGs for install details. The `qrcode` library computes the module matrix; the PNG is encoded
 * here (8-bit greyscale + node:zlib) because qrcode's pngjs path is an order of magnitude slower, which
 * matters when one ZIP holds hundreds of eSIMs.
 */
import { deflateSync } from 'node:zlib';
import { create } from 'qrcode';

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Buffer): number {
  let c = 0xffffffff;
  for (const byte of buf) c = CRC_TABLE[(c ^ byte) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Buffer): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const body = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(body));
  return Buffer.concat([len, body, crc]);
}

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export function qrPng(text: string, opts: { scale?: number; margin?: number } = {}): Buffer {
  const scale = opts.scale ?? 8;
  const margin = opts.margin ?? 4;
  const { modules } = create(text, { errorCorrectionLevel: 'M' });
  const size = modules.size;
  const px = (size + 2 * margin) * scale;
  const row = px + 1; // leading filter byte (0 = none) per scanline
  const raw = Buffer.alloc(row * px, 0xff);
  for (let y = 0; y < px; y++) {
    raw[y * row] = 0;
    const my = Math.floor(y / scale) - margin;
    if (my < 0 || my >= size) continue;
    for (let x = 0; x < px; x++) {
      const mx = Math.floor(x / scale) - margin;
      if (mx >= 0 && mx < size && modules.get(my, mx)) raw[y * row + 1 + x] = 0x00;
    }
  }
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(px, 0);
  ihdr.writeUInt32BE(px, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 0; // greyscale
  ihdr[10] = 0;
  ihdr[11] = 0;
  ihdr[12] = 0;
  return Buffer.concat([PNG_SIGNATURE, chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', Buffer.alloc(0))]);
}
