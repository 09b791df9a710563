/**
 * The gateway the OWASP suite attacks: started through the same env parsing as production, on its own schema and
 * RabbitMQ vhost, with test doubles of vendor-billing, order, esim-provisioning and notification behind the broker,
 * so a test can see what reached (or did not reach) a service, and can make a service answer wrongly.
 */
import { randomUUID } from 'node:crypto';
import { CreatedApiKeyResponseSchema, TokenResponseSchema, type TokenResponse, type VendorView } from '@ttelgo/contracts';
import { TEST_DATABASE_URL, createTestSchemaName, createTestVhost, dropSchema, testLogger, type TestVhost } from '@ttelgo/testing';
import { loadNotificationConfig } from '../../../apps/notification/src/config';
import type { AddressResolver } from '../../../apps/notification/src/infrastructure/webhook-url.guard';
import { startNotification } from '../../../apps/notification/src/service';
import { BillingDouble } from '../../../apps/gateway/test/support/billing.double';
import { EsimDouble } from '../../../apps/gateway/test/support/esim.double';
import { NotificationDouble } from '../../../apps/gateway/test/support/notification.double';
import { OrderDouble } from '../../../apps/gateway/test/support/order.double';
import { TEST_ADMIN, api, bearer, json, startTestGateway, type TestGateway } from '../../../apps/gateway/test/support/gateway.harness';

export interface SecurityGateway {
  gateway: TestGateway;
  http: ReturnType<typeof api>;
  billing: BillingDouble;
  orders: OrderDouble;
  esims: EsimDouble;
  /** The double, unless the real notification service was asked for. */
  notification: NotificationDouble | undefined;
  adminToken(): Promise<string>;
  /** A fresh customer account, signed in. */
  customer(): Promise<TokenResponse & { email: string; password: string }>;
  /** A fresh ACTIVE vendor with one API key. */
  vendor(overrides?: Partial<VendorView>): Promise<{ vendor: VendorView; key: string; keyId: string }>;
  close(): Promise<void>;
}

export interface SecurityGatewayOptions {
  /** The real notification service (own schema) instead of its double, with this env and DNS resolver. */
  realNotification?: { env: Record<string, string>; resolver?: AddressResolver };
}

export async function startSecurityGateway(name: string, env: Record<string, string> = {}, opts: SecurityGatewayOptions = {}): Promise<SecurityGateway> {
  const vhost: TestVhost = await createTestVhost(`sec_${name}`);
  const billing = await new BillingDouble(vhost.url).start();
  const orders = await new OrderDouble(vhost.url).start();
  const esims = await new EsimDouble(vhost.url).start();
  let stopNotification: () => Promise<void>;
  let notification: NotificationDouble | undefined;
  if (opts.realNotification) {
    const schema = createTestSchemaName(`sec_${name}_notifications`);
    const config = loadNotificationConfig({ NODE_ENV: 'test', DATABASE_URL: TEST_DATABASE_URL, DB_SCHEMA: schema, AMQP_URL: vhost.url, OPS_PORT: '0', LOG_LEVEL: 'silent', ...opts.realNotification.env });
    const real = await startNotification(config, { logger: testLogger('notification'), ...(opts.realNotification.resolver ? { webhookResolver: opts.realNotification.resolver } : {}) });
    stopNotification = async () => {
      await real.close();
      await dropSchema(TEST_DATABASE_URL, schema);
    };
  } else {
    const double = await new NotificationDouble(vhost.url).start();
    notification = double;
    stopNotification = () => double.stop();
  }
  const gateway = await startTestGateway({ AMQP_URL: vhost.url, RPC_TIMEOUT_MS: '4000', ...env }, `sec_${name}`);
  const http = api(gateway.handle.port);
  let admin: string | undefined;
  const adminToken = async () => {
    admin ??= TokenResponseSchema.parse(json(await http.post('/api/v1/auth/login', TEST_ADMIN))).accessToken;
    return admin;
  };
  return {
    gateway,
    http,
    billing,
    orders,
    esims,
    notification,
    adminToken,
    async customer() {
      const email = `c-${randomUUID()}@example.com`;
      const password = `pw-${randomUUID()}`;
      const res = await http.post('/api/v1/auth/register', { email, password });
      if (res.status !== 201) throw new Error(`register answered ${res.status}: ${res.body}`);
      return { ...TokenResponseSchema.parse(json(res)), email, password };
    },
    async vendor(overrides = {}) {
      const vendor = billing.addVendor(overrides);
      const res = await http.post(`/api/v1/admin/vendors/${vendor.id}/api-keys`, { name: 'security' }, bearer(await adminToken()));
      if (res.status !== 201) throw new Error(`api key answered ${res.status}: ${res.body}`);
      const created = CreatedApiKeyResponseSchema.parse(json(res));
      return { vendor, key: created.key, keyId: created.id };
    },
    async close() {
      await gateway.close();
      await stopNotification();
      await esims.stop();
      await orders.stop();
      await billing.stop();
      await vhost.dispose();
    },
  };
}
