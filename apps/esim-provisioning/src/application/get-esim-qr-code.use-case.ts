/**
 * esim.get-esim-qr-code.v1: the QR code of an owner's eSIM, a PNG of its LPA string. Rendered once, on the
 * first request, and stored in `esims.qr_png`; every later request is served from there.
 */
import { esimNotFound } from '../domain/esim.errors';
import type { EsimOwner } from '../domain/provider-order';
import type { EsimsRepository } from '../infrastructure/esims.repository';

export class GetEsimQrCodeUseCase {
  constructor(
    private readonly deps: { repository: Pick<EsimsRepository, 'findQr' | 'storeQrIfAbsent'>; render: (lpa: string) => Promise<Buffer> },
  ) {}

  async execute(owner: EsimOwner, iccid: string): Promise<{ pngBase64: string }> {
    const stored = await this.deps.repository.findQr(owner, iccid);
    if (!stored) throw esimNotFound(iccid);
    const png = stored.png ?? (await this.deps.repository.storeQrIfAbsent(iccid, await this.deps.render(stored.lpa)));
    return { pngBase64: png.toString('base64') };
  }
}
