/**
 * A test double of esim-provisioning over the REAL broker: an RpcServer owning `ttelgo.rpc.esim` that prices a
 * fixture bundle (esim.get-bundle.v1: retail without markupBps, cost + roundHalfUp(cost × bps / 10 000) with
 * it) and quotes top-ups of the eSIMs a test gave it (esim.quote-topup.v1: same prices, the owner checked, a
 * bundle marked incompatible refused), plus a publisher for the provisioning results it would emit.
 */
import { randomUUID } from 'node:crypto';
import {
  EsimBundlesRevokedV1,
  EsimProvisionedV1,
  EsimProvisioningFailedV1,
  GetBundleV1,
  QuoteTopupV1,
  type Bundle,
  type EsimInstall,
  type Envelope,
  type Owner,
} from '@ttelgo/contracts';
import { AmqpConnection, ConfirmPublisher, RpcServer } from '@ttelgo/messaging';
import { CodedRpcError, testLogger } from '@ttelgo/testing';

export const BUNDLE: Bundle = {
  name: 'esim_1GB_7D_FR_V2',
  description: 'eSIM, 1GB, 7 Days, France, V2',
  countries: [{ iso: 'FR', name: 'France', region: 'Europe' }],
  dataMb: 1000,
  durationDays: 7,
  unlimited: false,
  price: { amount: 499, currency: 'USD' },
};
/** eSIM Go's cost of BUNDLE: vendor prices are this plus the vendor's markup. */
export const BUNDLE_COST = 400;

/** Written out independently of esim-provisioning's pricing code: integer half-up rounding. */
export function vendorUnitPrice(markupBps: number): number {
  return BUNDLE_COST + Math.floor((BUNDLE_COST * markupBps + 5000) / 10000);
}

let iccidCounter = 0;
export function esimInstall(): EsimInstall {
  iccidCounter += 1;
  const iccid = `8944${String(Date.now()).slice(-9)}${String(iccidCounter).padStart(6, '0')}`;
  const matchingId = `MATCH-${randomUUID().slice(0, 8).toUpperCase()}`;
  const lpa = `LPA:1$smdp.example.com$${matchingId}`;
  return {
    iccid,
    smdpAddress: 'smdp.example.com',
    matchingId,
    lpa,
    appleInstallUrl: `https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=${encodeURIComponent(lpa)}`,
    expiresAt: '2027-11-28T00:00:00.000Z',
  };
}

export class EsimDouble {
  /** eSIMs a top-up may be quoted for: ICCID -> owner. */
  readonly heldEsims = new Map<string, Owner>();
  /** `<iccid>:<bundle>` pairs eSIM Go would refuse. */
  readonly incompatible = new Set<string>();
  readonly quoteRequests: Array<{ owner: Owner; iccid: string; bundleName: string; markupBps?: number | undefined }> = [];
  readonly getBundleCalls: string[] = [];
  readonly getBundleRequests: Array<{ name: string; markupBps?: number | undefined }> = [];
  private readonly conn: AmqpConnection;
  private readonly server: RpcServer;
  private readonly publisher: ConfirmPublisher;

  constructor(url: string) {
    const logger = testLogger('esim-double');
    this.conn = new AmqpConnection({ url, name: 'esim-double', logger });
    this.server = new RpcServer(this.conn, { owner: 'esim', logger });
    this.publisher = new ConfirmPublisher(this.conn, { logger });
    this.server.handle(GetBundleV1, async (req) => {
      this.getBundleCalls.push(req.name);
      this.getBundleRequests.push({ name: req.name, markupBps: req.markupBps });
      if (req.name !== BUNDLE.name) throw new CodedRpcError('BUNDLE_NOT_FOUND', 404, `No bundle named ${req.name}.`);
      if (req.markupBps === undefined) return { bundle: BUNDLE };
      return { bundle: { ...BUNDLE, price: { amount: vendorUnitPrice(req.markupBps), currency: BUNDLE.price.currency } } };
    });
    this.server.handle(QuoteTopupV1, async (req) => {
      this.quoteRequests.push({ owner: req.owner, iccid: req.iccid, bundleName: req.bundleName, markupBps: req.markupBps });
      const holder = this.heldEsims.get(req.iccid);
      if (!holder || holder.type !== req.owner.type || holder.id !== req.owner.id) throw new CodedRpcError('ESIM_NOT_FOUND', 404, `eSIM ${req.iccid} not found`);
      if (req.bundleName !== BUNDLE.name) throw new CodedRpcError('BUNDLE_NOT_FOUND', 404, `No bundle named ${req.bundleName}.`);
      if (this.incompatible.has(`${req.iccid}:${req.bundleName}`)) {
        throw new CodedRpcError('BUNDLE_NOT_COMPATIBLE', 422, `bundle ${req.bundleName} cannot be applied to eSIM ${req.iccid}`);
      }
      if (req.markupBps === undefined) return { bundle: BUNDLE };
      return { bundle: { ...BUNDLE, price: { amount: vendorUnitPrice(req.markupBps), currency: BUNDLE.price.currency } } };
    });
  }

  async start(): Promise<this> {
    await this.conn.start();
    await this.server.start();
    return this;
  }

  provisioned(orderId: string, esims: EsimInstall[]): Promise<Envelope> {
    return this.publisher.publishMessage(
      EsimProvisionedV1,
      { orderId, providerOrderReference: `esimgo-${randomUUID()}`, esims },
      { producer: 'esim-provisioning', correlationId: randomUUID() },
    );
  }

  provisioningFailed(orderId: string, code: string, reason: string): Promise<Envelope> {
    return this.publisher.publishMessage(EsimProvisioningFailedV1, { orderId, code, reason }, { producer: 'esim-provisioning', correlationId: randomUUID() });
  }

  /** esim.bundles-revoked.v1 as esim-provisioning answers an admin refund's revocation. */
  bundlesRevoked(orderId: string, outcome: 'REVOKED' | 'ALREADY_USED' | 'FAILED', forced = false): Promise<Envelope> {
    return this.publisher.publishMessage(
      EsimBundlesRevokedV1,
      { orderId, outcome, forced, bundles: [], detail: outcome === 'REVOKED' ? null : `test: ${outcome}`, decidedAt: new Date().toISOString() },
      { producer: 'esim-provisioning', correlationId: randomUUID() },
    );
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.conn.close();
  }
}
