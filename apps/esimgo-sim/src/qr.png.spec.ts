import { crc32 as zlibCrc32, inflateSync } from 'node:zlib';
import { create } from 'qrcode';
import { PNG_SIGNATURE, qrPng } from './qr.png';

describe('qrPng', () => {
  it('writes a valid greyscale PNG whose pixels are the QR modules', () => {
    const text = 'LPA:1$rsp.esimgo-sim.local$A1B2-C3D4-E5F6-G7H8';
    const png = qrPng(text, { scale: 4, margin: 4 });
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const chunks: Array<{ type: string; data: Buffer }> = [];
    for (let off = 8; off < png.length; ) {
      const len = png.readUInt32BE(off);
      const type = png.subarray(off + 4, off + 8).toString('ascii');
      const data = png.subarray(off + 8, off + 8 + len);
      expect(png.readUInt32BE(off + 8 + len)).toBe(zlibCrc32(png.subarray(off + 4, off + 8 + len)));
      chunks.push({ type, data });
      off += 12 + len;
    }
    expect(chunks.map((c) => c.type)).toEqual(['IHDR', 'IDAT', 'IEND']);
    const ihdr = chunks[0]!.data;
    const size = create(text, { errorCorrectionLevel: 'M' }).modules.size;
    const px = (size + 8) * 4;
    expect([ihdr.readUInt32BE(0), ihdr.readUInt32BE(4), ihdr[8], ihdr[9]]).toEqual([px, px, 8, 0]);
    const raw = inflateSync(chunks[1]!.data);
    expect(raw.length).toBe(px * (px + 1));
    const modules = create(text, { errorCorrectionLevel: 'M' }).modules;
    for (let my = 0; my < size; my++) {
      for (let mx = 0; mx < size; mx++) {
        const y = (my + 4) * 4 + 1;
        const x = (mx + 4) * 4 + 2;
        expect(raw[y * (px + 1) + 1 + x]).toBe(modules.get(my, mx) ? 0 : 255);
      }
    }
  });
});
