/** A test double of notification over the REAL broker: set-webhook-endpoint with a generated `whsec_` secret. */
import { randomBytes } from 'node:crypto';
import { SetWebhookEndpointV1 } from '@ttelgo/contracts';
import { AmqpConnection, RpcServer } from '@ttelgo/messaging';
import { testLogger } from '@ttelgo/testing';

export class NotificationDouble {
  readonly requests: Array<Record<string, unknown>> = [];
  private readonly secrets = new Map<string, string>();
  private readonly conn: AmqpConnection;
  private readonly server: RpcServer;

  constructor(url: string) {
    const logger = testLogger('notification-double');
    this.conn = new AmqpConnection({ url, name: 'notification-double', logger });
    this.server = new RpcServer(this.conn, { owner: 'notification', logger });
    this.server.handle(SetWebhookEndpointV1, async (req) => {
      this.requests.push(structuredClone(req));
      let secret = this.secrets.get(req.vendorId);
      if (!secret || req.rotateSecret) secret = `whsec_${randomBytes(24).toString('base64url')}`;
      this.secrets.set(req.vendorId, secret);
      return { vendorId: req.vendorId, url: req.url, secret, updatedAt: new Date().toISOString() };
    });
  }

  async start(): Promise<this> {
    await this.conn.start();
    await this.server.start();
    return this;
  }

  async stop(): Promise<void> {
    await this.server.stop();
    await this.conn.close();
  }
}
