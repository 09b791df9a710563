/**
 * A customer's eSIMs, through esim-provisioning (RPC), which filters by the owner it is sent: always the signed-in
 * user. Another customer's eSIM is ESIM_NOT_FOUND (404), never 403: its existence is not disclosed.
 */
import {
  EsimListResponseSchema,
  EsimResponseSchema,
  EsimStateSchema,
  GetEsimQrCodeV1,
  GetEsimV1,
  ListEsimsV1,
  type EsimListResponse,
  type EsimResponse,
  type EsimState,
  type EsimView,
  type Owner,
} from '@ttelgo/contracts';
import { AppError } from '@ttelgo/http';
import type { ServiceCaller } from '../rpc/service.caller';
import { customerOwner } from './customer-orders.use-case';
import { toPublic } from './public-response';

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
/** A QR code of an LPA string is a few kB; anything far larger is not what we asked for. */
const MAX_QR_BYTES = 512 * 1024;

const ESIM_STATES: readonly string[] = EsimStateSchema.options;
/** eSIM Go's state names of the current bundle, for an esim-provisioning older than eSIM states (status PROVISIONED). */
const STATE_OF_USAGE: Record<string, EsimState> = { Active: 'ACTIVE', Depleted: 'DEPLETED', Expired: 'EXPIRED', Lapsed: 'EXPIRED', Revoked: 'REVOKED' };

function esimStatus(view: EsimView): EsimState {
  if (ESIM_STATES.includes(view.status)) return view.status as EsimState;
  return STATE_OF_USAGE[view.usage.state] ?? 'QUEUED';
}

export function toEsimResponse(view: EsimView): EsimResponse {
  return toPublic(EsimResponseSchema, {
    iccid: view.iccid,
    orderId: view.orderId,
    bundleName: view.bundleName,
    status: esimStatus(view),
    smdpAddress: view.smdpAddress,
    matchingId: view.matchingId,
    lpa: view.lpa,
    appleInstallUrl: view.appleInstallUrl,
    usage: view.usage,
    expiresAt: view.expiresAt,
    activatedAt: view.activatedAt ?? null,
    // An older esim-provisioning answers without bundles: none shown rather than a guess.
    bundles: view.bundles ?? [],
  });
}

/** One eSIM of `owner` (a customer or a vendor): esim-provisioning answers ESIM_NOT_FOUND for anyone else's. */
export async function getOwnedEsim(esim: ServiceCaller, owner: Owner, iccid: string): Promise<EsimResponse> {
  return toEsimResponse(await esim.call(GetEsimV1, { owner, iccid }));
}

export async function getCustomerEsim(esim: ServiceCaller, customer: { id: string }, iccid: string): Promise<EsimResponse> {
  return getOwnedEsim(esim, customerOwner(customer.id), iccid);
}

export async function listCustomerEsims(esim: ServiceCaller, customer: { id: string }, page: EsimPage): Promise<EsimListResponse> {
  return listOwnedEsims(esim, customerOwner(customer.id), page);
}

export interface EsimPage {
  limit: number;
  cursor?: string | undefined;
  status?: EsimState | undefined;
}

/** An owner's eSIMs (a customer's or a vendor's, never anyone else's), newest first, optionally in one state. */
export async function listOwnedEsims(esim: ServiceCaller, owner: Owner, page: EsimPage): Promise<EsimListResponse> {
  const result = await esim.call(ListEsimsV1, {
    owner,
    limit: page.limit,
    ...(page.cursor !== undefined ? { cursor: page.cursor } : {}),
    ...(page.status !== undefined ? { status: page.status } : {}),
  });
  return toPublic(EsimListResponseSchema, { data: result.data.map(toEsimResponse), nextCursor: result.nextCursor });
}

/** The PNG bytes; anything that is not a PNG is the upstream's fault (502), never relayed to the client. */
export async function getCustomerEsimQrCode(esim: ServiceCaller, customer: { id: string }, iccid: string): Promise<Buffer> {
  return getOwnedEsimQrCode(esim, customerOwner(customer.id), iccid);
}

export async function getOwnedEsimQrCode(esim: ServiceCaller, owner: Owner, iccid: string): Promise<Buffer> {
  const { pngBase64 } = await esim.call(GetEsimQrCodeV1, { owner, iccid });
  const png = /^[A-Za-z0-9+/]+={0,2}$/.test(pngBase64) ? Buffer.from(pngBase64, 'base64') : Buffer.alloc(0);
  if (png.length < PNG_SIGNATURE.length || png.length > MAX_QR_BYTES || !png.subarray(0, 8).equals(PNG_SIGNATURE)) {
    throw new AppError('UPSTREAM_ERROR', 502, 'An upstream service answered with an invalid QR code.');
  }
  return png;
}
