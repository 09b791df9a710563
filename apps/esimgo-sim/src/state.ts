/**
 * In-memory state of the simulated eSIM Go organisation. Money is kept in integer cents so balances never drift;
 * the API shows decimal USD like the real one. Bundle states are derived from timestamps on read, so the
 * Processing -> Queued transition needs no timers.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { CatalogueBundle, generateCatalogue } from './catalogue.generator';
import { testBundles } from './test-bundles';
import { generateCountryNetworks, type CountryNetworks } from './networks.generator';

export type BundleState = 'Processing' | 'Queued' | 'Active' | 'Depleted' | 'Expired' | 'Revoked' | 'Lapsed';

export interface HistoryEntry {
  name: string;
  bundleName: string;
  date: string;
}

export interface Assignment {
  id: string;
  bundleName: string;
  description: string;
  initialQuantity: number;
  remainingQuantity: number;
  unlimited: boolean;
  durationDays: number;
  assignmentDateTime: string;
  assignmentReference: string;
  priceCents: number;
  /** epoch ms until which the assignment shows as Processing */
  processingUntil: number;
  startTime?: string;
  endTime?: string;
  revoked?: boolean;
  forcedState?: 'Expired' | 'Lapsed';
  /** thresholds (percent) already notified: 1 (FirstUse), 50, 80, 100 */
  alerted: number[];
}

export interface Esim {
  iccid: string;
  matchingId: string;
  smdpAddress: string;
  pin: string;
  puk: string;
  profileStatus: 'Released' | 'Installed';
  firstInstalledDateTime: number | null;
  customerRef: string;
  createdDate: string;
  assignedDate: string;
  lastAction: string;
  actionDate: string;
  assignments: Assignment[];
  history: HistoryEntry[];
}

export interface OrderLine {
  type: 'bundle' | 'bundleAssignment';
  item: string;
  quantity: number;
  pricePerUnitCents: number;
  allowReassign: boolean;
  iccids: string[];
}

export interface StoredOrder {
  orderReference: string;
  createdDate: string;
  createdAtMs: number;
  totalCents: number;
  assigned: boolean;
  statusMessage: string;
  sourceIP: string;
  lines: OrderLine[];
  /** simulator-only extension, never sent by the real API */
  clientReference?: string;
}

export interface InventoryUsage {
  id: string;
  bundleName: string;
  total: number;
  remaining: number;
  expiry: string;
  priceCents: number;
  orderReference: string;
}

export interface Faults {
  errorRate: number;
  latencyMs: number;
  timeoutRate: number;
  hangMs: number;
  burst429: number;
  burst503: number;
  retryAfterSeconds: number;
  outage: boolean;
  rateLimitPerSecond: number;
  failOrdersPermanently: boolean;
  paths: string[];
  applyAfterProcessing: boolean;
  processingDelayMs: number;
  /** each callback is sent this many extra times (same body, separate deliveries): eSIM Go repeating itself */
  callbackDuplicates: number;
  /**
   * Pages of GET /catalogue and GET /orders hold at most this many entries whatever was asked, pageCount to match
   * (0 = off): a provider whose pages are shorter than asked, although more follow.
   */
  pageSizeCap: number;
  /**
   * POST /orders transactions answer 403 as eSIM Go does when the organisation "does not have any available
   * Bundles left" (the same status as a bad API key, told apart only by the message).
   */
  noBundlesLeft: boolean;
  /** The key an assignment's state goes under: 'bundleState' (v2.4), or 'bundleStatus' as some versions name it. */
  assignmentStateField: 'bundleState' | 'bundleStatus';
  /**
   * The key GET /orders puts its list under ('orders', as documented). Anything else is a provider changing its
   * answer under a client: what a client must never read as "no orders".
   */
  ordersListKey: string;
}

/**
 * A bundle that cannot be applied to an eSIM (eSIM Go sources bundles from several networks; one from another
 * network cannot top up an eSIM). Without `iccid` the rule holds for every eSIM.
 */
export interface IncompatibilityRule {
  bundle: string;
  iccid?: string;
}

export interface CallbackDelivery {
  id: string;
  url: string;
  iccid: string;
  alertType: string;
  body: string;
  status: 'pending' | 'delivered' | 'failed';
  attempts: number;
  lastError?: string;
  lastStatus?: number;
  /** set on a repeat: the id of the delivery whose body it sends again (a duplicate, or a replay) */
  repeatOf?: string;
}

export interface SimStateOptions {
  seed: number;
  initialBalance: number;
  rateLimitPerSecond: number;
  processingDelayMs: number;
  smdpAddress: string;
  now: () => number;
  /** The sandbox's magic bundles (test-bundles.ts) in the catalogue, with their behaviour. */
  testBundles?: boolean;
}

export const toCents = (usd: number): number => Math.round(usd * 100);
export const toUsd = (cents: number): number => Math.round(cents) / 100;

export function defaultFaults(rateLimitPerSecond: number, processingDelayMs: number): Faults {
  return {
    errorRate: 0,
    latencyMs: 0,
    timeoutRate: 0,
    hangMs: 30000,
    burst429: 0,
    burst503: 0,
    retryAfterSeconds: 1,
    outage: false,
    rateLimitPerSecond,
    failOrdersPermanently: false,
    paths: [],
    applyAfterProcessing: false,
    processingDelayMs,
    callbackDuplicates: 0,
    pageSizeCap: 0,
    noBundlesLeft: false,
    assignmentStateField: 'bundleState',
    ordersListKey: 'orders',
  };
}

function luhnDigit(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

const randomDigits = (n: number): string => Array.from({ length: n }, () => randomInt(10)).join('');
const randomHex4 = (): string => randomInt(0x10000).toString(16).toUpperCase().padStart(4, '0');

/**
 * How fast the API is called, as eSIM Go would see it: the most requests within any sliding second (peak), and how
 * many the per-IP limit answered 429. Drills and tests read it to check that every replica together stays within
 * the 10 requests/s budget. Wall clock (not the simulated clock): it is about the real request rate.
 */
export class RequestRate {
  private readonly recent: number[] = [];
  peakPerSecond = 0;
  rateLimited = 0;
  /** The per-IP limit's fixed one-second windows. */
  readonly windows = new Map<string, { start: number; count: number }>();

  record(at = Date.now()): void {
    this.recent.push(at);
    while (this.recent.length > 0 && at - this.recent[0]! >= 1000) this.recent.shift();
    if (this.recent.length > this.peakPerSecond) this.peakPerSecond = this.recent.length;
  }

  reset(): void {
    this.recent.length = 0;
    this.peakPerSecond = 0;
    this.rateLimited = 0;
    this.windows.clear();
  }
}

export class SimState {
  readonly catalogue: CatalogueBundle[];
  readonly bundlesByName: Map<string, CatalogueBundle>;
  /** GET /networks: every catalogue country with its mobile networks. */
  readonly countryNetworks: CountryNetworks[];
  readonly opts: SimStateOptions;
  orders = new Map<string, StoredOrder>();
  esims = new Map<string, Esim>();
  inventory: InventoryUsage[] = [];
  balanceCents: number;
  faults: Faults;
  requestCounts: Record<string, number> = {};
  totalRequests = 0;
  readonly rate = new RequestRate();
  callbacks: CallbackDelivery[] = [];
  incompatible: IncompatibilityRule[] = [];
  callbackUrl: string | undefined;
  callbackSigningKey: string | undefined;
  callbackDigest: 'base64' | 'hex';

  constructor(opts: SimStateOptions, callback: { url?: string; signingKey?: string; digest?: 'base64' | 'hex' }) {
    this.opts = opts;
    this.catalogue = [...generateCatalogue(opts.seed), ...(opts.testBundles ? testBundles() : [])];
    this.bundlesByName = new Map(this.catalogue.map((b) => [b.name, b]));
    this.countryNetworks = generateCountryNetworks(opts.seed);
    this.balanceCents = toCents(opts.initialBalance);
    this.faults = defaultFaults(opts.rateLimitPerSecond, opts.processingDelayMs);
    this.callbackUrl = callback.url;
    this.callbackSigningKey = callback.signingKey;
    this.callbackDigest = callback.digest ?? 'base64';
  }

  now(): number {
    return this.opts.now();
  }

  nowIso(): string {
    return new Date(this.now()).toISOString();
  }

  /** Orders, eSIMs, inventory, balance and faults back to their start values; the catalogue stays. */
  reset(): void {
    this.orders.clear();
    this.esims.clear();
    this.inventory = [];
    this.balanceCents = toCents(this.opts.initialBalance);
    this.faults = defaultFaults(this.opts.rateLimitPerSecond, this.opts.processingDelayMs);
    this.requestCounts = {};
    this.totalRequests = 0;
    this.rate.reset();
    this.callbacks = [];
    this.incompatible = [];
  }

  /** Whether a (known) bundle may be applied to this eSIM; see IncompatibilityRule. */
  isCompatible(iccid: string, bundle: string): boolean {
    return !this.incompatible.some((r) => r.bundle === bundle && (r.iccid === undefined || r.iccid === iccid));
  }

  resetFaults(): void {
    this.faults = defaultFaults(this.opts.rateLimitPerSecond, this.opts.processingDelayMs);
  }

  /** ICCIDs are random (not seeded) so they stay unique across restarts and parallel simulators. */
  newEsim(): Esim {
    let iccid: string;
    do {
      const body = `894453${randomDigits(12)}`;
      iccid = `${body}${luhnDigit(body)}`;
    } while (this.esims.has(iccid));
    const now = this.nowIso();
    const esim: Esim = {
      iccid,
      matchingId: [randomHex4(), randomHex4(), randomHex4(), randomHex4()].join('-'),
      smdpAddress: this.opts.smdpAddress,
      pin: randomDigits(4),
      puk: randomDigits(8),
      profileStatus: 'Released',
      firstInstalledDateTime: null,
      customerRef: '',
      createdDate: now,
      assignedDate: now,
      lastAction: 'eSIM Created',
      actionDate: now,
      assignments: [],
      history: [],
    };
    this.esims.set(iccid, esim);
    return esim;
  }

  addAssignment(esim: Esim, bundle: CatalogueBundle, reference: string, priceCents: number): Assignment {
    const now = this.now();
    const a: Assignment = {
      id: String(randomInt(100000000, 999999999)),
      bundleName: bundle.name,
      description: bundle.description,
      initialQuantity: bundle.dataAmount * 1_000_000,
      remainingQuantity: bundle.dataAmount * 1_000_000,
      unlimited: bundle.unlimited,
      durationDays: bundle.duration,
      assignmentDateTime: new Date(now).toISOString(),
      assignmentReference: reference,
      priceCents,
      processingUntil: now + this.faults.processingDelayMs,
      alerted: [],
    };
    esim.assignments.push(a);
    this.record(esim, 'Bundle Applied', bundle.name);
    esim.assignedDate = a.assignmentDateTime;
    return a;
  }

  record(esim: Esim, name: string, bundleName: string): void {
    const date = this.nowIso();
    esim.history.push({ name, bundleName, date });
    esim.lastAction = name;
    esim.actionDate = date;
  }

  stateOf(a: Assignment): BundleState {
    if (a.revoked) return 'Revoked';
    if (a.forcedState) return a.forcedState;
    const now = this.now();
    if (!a.startTime) return now < a.processingUntil ? 'Processing' : 'Queued';
    if (a.endTime && now >= Date.parse(a.endTime)) return 'Expired';
    if (!a.unlimited && a.remainingQuantity <= 0) return 'Depleted';
    return 'Active';
  }

  newReference(): string {
    return randomUUID();
  }
}
