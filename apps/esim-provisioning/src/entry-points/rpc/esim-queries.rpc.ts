import { GetEsimQrCodeV1, GetEsimV1, ListEsimsV1 } from '@ttelgo/contracts';
import type { RpcServer } from '@ttelgo/messaging';
import type { GetEsimQrCodeUseCase } from '../../application/get-esim-qr-code.use-case';
import type { GetEsimUseCase } from '../../application/get-esim.use-case';
import type { ListEsimsUseCase } from '../../application/list-esims.use-case';

/**
 * esim.get-esim.v1, esim.list-esims.v1, esim.get-esim-qr-code.v1: always filtered by the owner in the request
 * (the gateway puts the signed-in principal there); another owner's eSIM is ESIM_NOT_FOUND (404).
 */
export function registerEsimQueryRpcs(
  server: RpcServer,
  useCases: { get: GetEsimUseCase; list: ListEsimsUseCase; qr: GetEsimQrCodeUseCase },
): void {
  server.handle(GetEsimV1, (req) => useCases.get.execute(req.owner, req.iccid));
  server.handle(ListEsimsV1, (req) => useCases.list.execute(req.owner, { limit: req.limit, cursor: req.cursor, status: req.status }));
  server.handle(GetEsimQrCodeV1, (req) => useCases.qr.execute(req.owner, req.iccid));
}
