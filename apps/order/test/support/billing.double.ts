/**
 * A test double of vendor-billing over the REAL broker: billing.get-vendor.v1 served by an RpcServer from an
 * in-memory table of vendors (unknown id: VENDOR_NOT_FOUND 404), plus a publisher for the funds events it would
 * emit. The server can be stopped and started again to play "vendor-billing is down".
 */
import { randomUUID } from 'node:crypto';
import {
  FundsCapturedV1,
  FundsRejectedV1,
  FundsReleasedV1,
  OrderChargeRefundedV1,
  FundsReservedV1,
  GetVendorV1,
  routeFor,
  type DataOf,
  type Envelope,
  type MessageContract,
  type Money,
  type VendorView,
} from '@ttelgo/contracts';
import { AmqpConnection, ConfirmPublisher, RpcServer } from '@ttelgo/messaging';
import { CodedRpcError, testLogger } from '@ttelgo/testing';

export type RejectionCode = DataOf<typeof FundsRejectedV1>['code'];

export class BillingDouble {
  readonly vendors = new Map<string, VendorView>();
  readonly getVendorCalls: string[] = [];
  private readonly logger = testLogger('billing-double');
  private readonly conn: AmqpConnection;
  private readonly publisher: ConfirmPublisher;
  private server: RpcServer | undefined;

  constructor(url: string) {
    this.conn = new AmqpConnection({ url, name: 'billing-double', logger: this.logger });
    this.publisher = new ConfirmPublisher(this.conn, { logger: this.logger });
  }

  async start(): Promise<this> {
    await this.conn.start();
    await this.startServer();
    return this;
  }

  async startServer(): Promise<void> {
    const server = new RpcServer(this.conn, { owner: 'billing', logger: this.logger });
    server.handle(GetVendorV1, async (req) => {
      this.getVendorCalls.push(req.vendorId);
      const vendor = this.vendors.get(req.vendorId);
      if (!vendor) throw new CodedRpcError('VENDOR_NOT_FOUND', 404, `vendor ${req.vendorId} does not exist`);
      return vendor;
    });
    await server.start();
    this.server = server;
  }

  async stopServer(): Promise<void> {
    await this.server?.stop();
    this.server = undefined;
  }

  /** A new vendor known to billing; returns its id. */
  addVendor(overrides: Partial<VendorView> = {}): string {
    const id = overrides.id ?? randomUUID();
    const now = new Date().toISOString();
    this.vendors.set(id, {
      id,
      name: `Vendor ${id.slice(0, 8)}`,
      email: `vendor-${id.slice(0, 8)}@example.com`,
      billingMode: 'PREPAID',
      currency: 'USD',
      status: 'ACTIVE',
      creditLimit: null,
      markupBps: 1500,
      rateLimitPerMinute: 600,
      lowBalanceThreshold: 0,
      createdAt: now,
      updatedAt: now,
      ...overrides,
    });
    return id;
  }

  private send<T>(contract: MessageContract<T>, data: T): Promise<Envelope<T>> {
    return this.publisher.publishMessage(contract, data, { producer: 'vendor-billing', correlationId: randomUUID() });
  }

  reserved(orderId: string, vendorId: string, amount: Money): Promise<Envelope> {
    return this.send(FundsReservedV1, { orderId, vendorId, amount });
  }

  rejected(orderId: string, vendorId: string, code: RejectionCode, reason = 'not enough'): Promise<Envelope> {
    return this.send(FundsRejectedV1, { orderId, vendorId, code, reason });
  }

  captured(orderId: string, vendorId: string, amount: Money): Promise<Envelope> {
    return this.send(FundsCapturedV1, { orderId, vendorId, amount, transactionId: randomUUID() });
  }

  released(orderId: string, vendorId: string, amount: Money): Promise<Envelope> {
    return this.send(FundsReleasedV1, { orderId, vendorId, amount });
  }

  chargeRefunded(orderId: string, vendorId: string, amount: Money): Promise<Envelope> {
    return this.send(OrderChargeRefundedV1, { orderId, vendorId, amount, transactionId: randomUUID() });
  }

  /** Publishes an envelope as it is (a broker redelivery of the same message). */
  republish(contract: MessageContract, envelope: Envelope): Promise<void> {
    return this.publisher.publish(routeFor(contract), envelope);
  }

  async stop(): Promise<void> {
    await this.stopServer();
    await this.conn.close();
  }
}
