/**
 * Every QR code of a reseller's order in one ZIP: `esim-<iccid>.png` per eSIM (the PNG esim-provisioning renders
 * from the LPA string, as `GET /vendor/esims/{iccid}/qrcode` serves it) and `esims.csv` with the install data of
 * each, for resellers that hand out many eSIMs at once. Only a COMPLETED order has eSIMs to export.
 */
import JSZip from 'jszip';
import { AppError } from '@ttelgo/http';
import type { VendorOrderResponse } from '@ttelgo/contracts';
import type { ServiceCaller } from '../rpc/service.caller';
import { getOwnedEsimQrCode } from './customer-esims.use-case';
import { getVendorOrder, vendorOwner, type VendorOrderDeps } from './vendor-orders.use-case';

const CSV_COLUMNS = ['iccid', 'smdpAddress', 'matchingId', 'lpa', 'appleInstallUrl', 'expiresAt', 'qrFile'] as const;
/** QR codes asked of esim-provisioning at once: an order has at most 50. */
const CONCURRENCY = 5;

/** RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled; a leading =+-@ is neutralised for spreadsheets. */
export function csvField(value: string): string {
  const safe = /^[=+\-@]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function esimsCsv(order: VendorOrderResponse): string {
  const rows = order.esims.map((e) =>
    [e.iccid, e.smdpAddress ?? '', e.matchingId ?? '', e.lpa ?? '', e.appleInstallUrl ?? '', e.expiresAt ?? '', `esim-${e.iccid}.png`].map(csvField).join(','),
  );
  return `${[CSV_COLUMNS.join(','), ...rows].join('\r\n')}\r\n`;
}

export async function exportOrderQrCodes(deps: VendorOrderDeps & { esim: ServiceCaller }, vendorId: string, orderId: string): Promise<Buffer> {
  const order = await getVendorOrder(deps, vendorId, orderId);
  if (order.status !== 'COMPLETED' || order.esims.length === 0) {
    throw new AppError('ORDER_NOT_COMPLETED', 409, `Order ${order.id} is ${order.status}: only a COMPLETED order has QR codes to export.`);
  }
  const owner = vendorOwner(vendorId);
  const zip = new JSZip();
  const queue = [...order.esims];
  const worker = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      zip.file(`esim-${next.iccid}.png`, await getOwnedEsimQrCode(deps.esim, owner, next.iccid), { compression: 'STORE' });
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, queue.length) }, worker));
  zip.file('esims.csv', esimsCsv(order));
  // PNGs are already compressed and stored as they are; the CSV deflates.
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 6 } });
}
