/**
 * A test double of esim-provisioning over the REAL broker: an RpcServer owning `ttelgo.rpc.esim` with a few fixture
 * bundles, plus a publisher for its events. It counts the requests it serves, so tests can tell cache hits (no
 * request) from misses. Special names make it misbehave on demand, per request, so one double serves every test.
 */
import { randomUUID } from 'node:crypto';
import QRCode from 'qrcode';
import {
  CatalogueUpdatedV1,
  GetBundleV1,
  GetEsimQrCodeV1,
  GetEsimV1,
  ListBundlesV1,
  ListEsimsV1,
  type Bundle,
  type EsimView,
  type Owner,
} from '@ttelgo/contracts';
import { AmqpConnection, ConfirmPublisher, RpcServer } from '@ttelgo/messaging';
import { CodedRpcError, testLogger } from '@ttelgo/testing';

/** GET /bundles/<HANG_NAME> and ?region=<HANG_REGION> never get an answer (until the double stops). */
export const HANG_NAME = 'double-hang-zz9';
export const HANG_REGION = 'Caribbean';
/** GET /bundles/<CRASH_NAME>: the handler throws an unexpected error (the server replies INTERNAL_ERROR 500). */
export const CRASH_NAME = 'double-crash-zz9';
export const CRASH_SECRET = 'connection string postgres://secret@db';

const country = (iso: string, name: string, region: string) => ({ iso, name, region });

export const FIXTURE_BUNDLES: Bundle[] = [
  {
    name: 'esim_1GB_7D_FR_V2',
    description: 'eSIM, 1GB, 7 Days, France, V2',
    countries: [country('FR', 'France', 'Europe')],
    dataMb: 1000,
    durationDays: 7,
    unlimited: false,
    price: { amount: 499, currency: 'USD' },
  },
  {
    name: 'esim_5GB_30D_FR_V2',
    description: 'eSIM, 5GB, 30 Days, France, V2',
    countries: [country('FR', 'France', 'Europe')],
    dataMb: 5000,
    durationDays: 30,
    unlimited: false,
    price: { amount: 1599, currency: 'USD' },
  },
  {
    name: 'esim_3GB_15D_EU_V2',
    description: 'eSIM, 3GB, 15 Days, Europe, V2',
    countries: [country('FR', 'France', 'Europe'), country('DE', 'Germany', 'Europe')],
    dataMb: 3000,
    durationDays: 15,
    unlimited: false,
    price: { amount: 1099, currency: 'USD' },
  },
  {
    name: 'esim_UL_1D_US_V2',
    description: 'eSIM, Unlimited, 1 Day, United States, V2',
    countries: [country('US', 'United States', 'North America')],
    dataMb: 0,
    durationDays: 1,
    unlimited: true,
    price: { amount: 899, currency: 'USD' },
  },
];

// Cursors are opaque to clients; here simply "o<offset>".
const encodeCursor = (offset: number) => `o${offset}`;
function decodeCursor(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const match = /^o(\d{1,6})$/.exec(cursor);
  if (!match) throw new CodedRpcError('INVALID_CURSOR', 400, 'The cursor is not valid.');
  return Number(match[1]);
}

const sameOwner = (a: Owner, b: Owner) => a.type === b.type && a.id === b.id;

export class EsimDouble {
  readonly calls = { list: 0, get: 0 };
  readonly listRequests: Array<Record<string, unknown>> = [];
  /** Requests of the eSIM queries (get, list, qr), to check which owner the gateway sent. */
  readonly esimRequests: Array<{ type: string; owner: Owner; iccid?: string }> = [];
  private readonly esims = new Map<string, { owner: Owner; view: EsimView }>();
  private iccidCounter = 0;
  private readonly conn: AmqpConnection;
  private readonly server: RpcServer;
  private readonly publisher: ConfirmPublisher;
  private releaseHung!: () => void;
  private readonly hung = new Promise<void>((resolve) => (this.releaseHung = resolve));

  constructor(url: string) {
    const logger = testLogger('esim-double');
    this.conn = new AmqpConnection({ url, name: 'esim-double', logger });
    this.server = new RpcServer(this.conn, { owner: 'esim', logger });
    this.publisher = new ConfirmPublisher(this.conn, { logger });

    this.server.handle(ListBundlesV1, async (req) => {
      this.calls.list += 1;
      this.listRequests.push({ ...req });
      if (req.region === HANG_REGION) await this.hung;
      const offset = decodeCursor(req.cursor);
      const matching = FIXTURE_BUNDLES.filter(
        (b) =>
          (!req.country || b.countries.some((c) => c.iso === req.country)) &&
          (!req.region || b.countries.some((c) => c.region.toLowerCase() === req.region!.toLowerCase())),
      );
      const data = matching.slice(offset, offset + req.limit);
      const next = offset + req.limit;
      return { data, nextCursor: next < matching.length ? encodeCursor(next) : null };
    });

    this.server.handle(GetBundleV1, async (req) => {
      this.calls.get += 1;
      if (req.name === HANG_NAME) await this.hung;
      if (req.name === CRASH_NAME) throw new Error(`database down: ${CRASH_SECRET}`);
      const bundle = FIXTURE_BUNDLES.find((b) => b.name === req.name);
      if (!bundle) throw new CodedRpcError('BUNDLE_NOT_FOUND', 404, `No bundle named ${req.name}.`);
      return { bundle };
    });

    this.server.handle(GetEsimV1, async (req) => {
      this.esimRequests.push({ type: 'get', owner: req.owner, iccid: req.iccid });
      return this.ownedEsim(req.owner, req.iccid);
    });

    this.server.handle(ListEsimsV1, async (req) => {
      this.esimRequests.push({ type: 'list', owner: req.owner });
      const mine = [...this.esims.values()].filter((e) => sameOwner(e.owner, req.owner)).map((e) => e.view).reverse();
      const offset = decodeCursor(req.cursor);
      return { data: mine.slice(offset, offset + req.limit), nextCursor: offset + req.limit < mine.length ? encodeCursor(offset + req.limit) : null };
    });

    this.server.handle(GetEsimQrCodeV1, async (req) => {
      this.esimRequests.push({ type: 'qr', owner: req.owner, iccid: req.iccid });
      const view = this.ownedEsim(req.owner, req.iccid);
      const png = await QRCode.toBuffer(view.lpa, { type: 'png', errorCorrectionLevel: 'M' });
      return { pngBase64: png.toString('base64') };
    });
  }

  /** Adds a provisioned eSIM owned by `owner` (the way esim-provisioning stores it); returns its view. */
  addEsim(owner: Owner, orderId: string, bundleName = 'esim_1GB_7D_FR_V2'): EsimView {
    this.iccidCounter += 1;
    const iccid = `8944${String(Date.now()).slice(-8)}${String(this.iccidCounter).padStart(7, '0')}`;
    const matchingId = `MATCH-${randomUUID().slice(0, 8).toUpperCase()}`;
    const smdpAddress = 'rsp.esimgo-sim.test';
    const lpa = `LPA:1$${smdpAddress}$${matchingId}`;
    const view: EsimView = {
      iccid,
      orderId,
      bundleName,
      status: 'QUEUED',
      smdpAddress,
      matchingId,
      lpa,
      appleInstallUrl: `https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=${encodeURIComponent(lpa)}`,
      expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
      usage: { initialBytes: 1_000_000_000, remainingBytes: 1_000_000_000, state: 'Queued' },
      activatedAt: null,
      bundles: [
        {
          orderId,
          kind: 'NEW',
          bundleName,
          state: 'QUEUED',
          initialBytes: 1_000_000_000,
          remainingBytes: 1_000_000_000,
          unlimited: false,
          assignedAt: new Date().toISOString(),
          startsAt: null,
          endsAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
        },
      ],
    };
    this.esims.set(iccid, { owner, view });
    return view;
  }

  private ownedEsim(owner: Owner, iccid: string): EsimView {
    const entry = this.esims.get(iccid);
    if (!entry || !sameOwner(entry.owner, owner)) throw new CodedRpcError('ESIM_NOT_FOUND', 404, 'No such eSIM.');
    return entry.view;
  }

  async start(): Promise<this> {
    await this.conn.start();
    await this.server.start();
    return this;
  }

  /** What esim-provisioning publishes after a catalogue sync that changed something. */
  async publishCatalogueUpdated(): Promise<void> {
    await this.publisher.publishMessage(
      CatalogueUpdatedV1,
      { syncedAt: new Date().toISOString(), revision: randomUUID(), bundleCount: FIXTURE_BUNDLES.length, added: 0, changed: 1, removed: 0 },
      { producer: 'esim', correlationId: randomUUID() },
    );
  }

  async stop(): Promise<void> {
    this.releaseHung();
    await this.server.stop();
    await this.conn.close();
  }
}
