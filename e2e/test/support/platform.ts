/**
 * The whole platform in one test process: both simulators, the SMTP catcher and every service, each on port 0,
 * each service in its own fresh Postgres schema, all on one fresh RabbitMQ vhost. Services are configured
 * through their own config loaders from environment-style variables, exactly as in production.
 */
import { listen, type RunningServer } from '@ttelgo/http';
import { createLogger, type Logger } from '@ttelgo/observability';
import { createTestSchemaName, createTestVhost, dropSchema, TcpProxy, TEST_AMQP_URL, TEST_DATABASE_URL, type TestVhost } from '@ttelgo/testing';
import { createEsimGoSimulator, DEFAULT_API_KEY, type EsimGoSimulator } from '@ttelgo/esimgo-sim';
import { createStripeSimulator, type StripeSimulator } from '@ttelgo/stripe-sim';
import { startSmtpCatcher, type SmtpCatcher } from '../../../apps/smtp-catcher/src/catcher.app';
import { loadEsimProvisioningConfig } from '../../../apps/esim-provisioning/src/config';
import { startEsimProvisioning, type EsimProvisioningHandle } from '../../../apps/esim-provisioning/src/service';
import { loadPaymentConfig } from '../../../apps/payment/src/config';
import { startPayment, type PaymentHandle } from '../../../apps/payment/src/service';
import { loadVendorBillingConfig } from '../../../apps/vendor-billing/src/config';
import { startVendorBilling, type VendorBillingHandle } from '../../../apps/vendor-billing/src/service';
import { loadOrderConfig } from '../../../apps/order/src/config';
import { startOrder, type OrderHandle } from '../../../apps/order/src/service';
import { loadNotificationConfig } from '../../../apps/notification/src/config';
import { startNotification, type NotificationHandle } from '../../../apps/notification/src/service';
import { loadGatewayConfig } from '../../../apps/gateway/src/config';
import { startGateway, type GatewayHandle } from '../../../apps/gateway/src/service';
import { SANDBOX_WEBHOOK_SECRET, startSandboxCell, type SandboxCell } from './sandbox-cell';

export const WEBHOOK_SECRET = 'whsec_e2e_secret';
export const ADMIN_EMAIL = 'admin@e2e.test';
export const ADMIN_PASSWORD = 'e2e-admin-password-long-enough';

export interface TestPlatform {
  vhost: TestVhost;
  logger: Logger;
  esimGo: { sim: EsimGoSimulator; server: RunningServer; baseUrl: string };
  stripe: { sim: StripeSimulator; server: RunningServer; baseUrl: string };
  mail: SmtpCatcher;
  provisioning: EsimProvisioningHandle;
  payment?: PaymentHandle;
  billing?: VendorBillingHandle;
  order?: OrderHandle;
  notification?: NotificationHandle;
  gateway: GatewayHandle;
  /** http://127.0.0.1:<port> of the gateway. */
  api: string;
  /** Between the gateway and RabbitMQ: cut it to make the broker unreachable for the gateway only. */
  gatewayBrokerLink: TcpProxy;
  /** With `sandbox: true`. */
  sandbox?: SandboxCell;
  stop(): Promise<void>;
}

export interface PlatformOptions {
  /** Start only what the catalogue needs (simulator, esim-provisioning, gateway). */
  catalogueOnly?: boolean;
  /** Also start the sandbox cell (test keys), as production runs it beside the live services. */
  sandbox?: boolean;
  env?: Record<string, string>;
}

export async function startTestPlatform(opts: PlatformOptions = {}): Promise<TestPlatform> {
  const logger = createLogger({ service: 'e2e', level: process.env.LOG_LEVEL ?? 'silent' });
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stops.splice(0).reverse()) await fn().catch(() => undefined);
  };
  try {
    const vhost = await createTestVhost('e2e');
    stops.push(() => vhost.dispose());
    const schema = (name: string) => {
      const s = createTestSchemaName(`e2e_${name}`);
      stops.push(() => dropSchema(TEST_DATABASE_URL, s));
      return s;
    };
    const common = {
      NODE_ENV: 'test',
      DATABASE_URL: TEST_DATABASE_URL,
      AMQP_URL: vhost.url,
      OPS_PORT: '0',
      LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
      // Generous RPC timeouts: a CI box running two jest workers and nine services in one process is slow at
      // times, and these tests are about outcomes, not latency (timeouts have their own component tests).
      RPC_TIMEOUT_MS: '15000',
      ...opts.env,
    };

    const esimSim = createEsimGoSimulator({ apiKeys: [DEFAULT_API_KEY], logger, rateLimitPerSecond: 10 });
    const esimServer = await listen(esimSim.app, 0, '127.0.0.1');
    stops.push(async () => {
      await esimServer.close();
      esimSim.close();
    });
    const esimBase = `http://127.0.0.1:${esimServer.port}/v2.4`;

    const stripeSim = createStripeSimulator({ logger, webhookUrls: [], webhookSecret: WEBHOOK_SECRET, webhookRetryBaseMs: 200 });
    const stripeServer = await listen(stripeSim.app, 0, '127.0.0.1');
    stops.push(async () => {
      await stripeServer.close();
      stripeSim.close();
    });
    const stripeBase = `http://127.0.0.1:${stripeServer.port}`;

    const mail = await startSmtpCatcher({ smtpPort: 0, webPort: 0, host: '127.0.0.1', logger });
    stops.push(() => mail.close());

    const provisioning = await startEsimProvisioning(
      loadEsimProvisioningConfig({ ...common, DB_SCHEMA: schema('esims'), ESIMGO_BASE_URL: esimBase, ESIMGO_API_KEY: DEFAULT_API_KEY }),
      { logger },
    );
    stops.push(() => provisioning.close());
    // The first sync runs in the background at start; tests begin with the catalogue in place.
    await provisioning.syncCatalogueNow();

    let payment: PaymentHandle | undefined;
    let billing: VendorBillingHandle | undefined;
    let order: OrderHandle | undefined;
    let notification: NotificationHandle | undefined;
    if (!opts.catalogueOnly) {
      payment = await startPayment(loadPaymentConfig({ ...common, DB_SCHEMA: schema('payments'), STRIPE_API_BASE: stripeBase }), { logger });
      stops.push(() => payment!.close());
      billing = await startVendorBilling(loadVendorBillingConfig({ ...common, DB_SCHEMA: schema('billing') }), { logger });
      stops.push(() => billing!.close());
      order = await startOrder(loadOrderConfig({ ...common, DB_SCHEMA: schema('orders') }), { logger });
      stops.push(() => order!.close());
      notification = await startNotification(
        loadNotificationConfig({ ...common, DB_SCHEMA: schema('notifications'), SMTP_URL: `smtp://127.0.0.1:${mail.smtpPort}`, DELIVERY_RETRY_DELAYS_MS: '200,500' }),
        { logger },
      );
      stops.push(() => notification!.close());
    }

    const sandbox = opts.sandbox ? await startSandboxCell({ logger, stops, schema, common, smtpPort: mail.smtpPort }) : undefined;

    const broker = new URL(TEST_AMQP_URL);
    const gatewayBrokerLink = new TcpProxy({ host: broker.hostname, port: Number(broker.port || 5672) });
    const linkPort = await gatewayBrokerLink.start();
    stops.push(() => gatewayBrokerLink.stop());
    const gatewayAmqp = new URL(vhost.url);
    gatewayAmqp.hostname = '127.0.0.1';
    gatewayAmqp.port = String(linkPort);

    const gateway = await startGateway(
      loadGatewayConfig({
        ...common,
        AMQP_URL: gatewayAmqp.toString(),
        // Longer than the services' own RPC chains (order waits on payment and billing).
        RPC_TIMEOUT_MS: opts.env?.RPC_TIMEOUT_MS ?? '20000',
        PORT: '0',
        DB_SCHEMA: schema('gateway'),
        STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
        // eSIM Go signs its usage callbacks with the API key (no separate signing key configured), like here.
        ESIMGO_CALLBACK_SIGNING_KEY: DEFAULT_API_KEY,
        ADMIN_EMAIL,
        ADMIN_PASSWORD,
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_TIME_COST: '1',
        // Many tests share 127.0.0.1: the per-IP limits of anonymous writes and failed API keys have their own tests.
        ANONYMOUS_WRITE_RATE_LIMIT_PER_MINUTE: '100000',
        API_KEY_FAILURE_RATE_LIMIT_PER_MINUTE: '100000',
        ...(sandbox ? { SANDBOX_AMQP_URL: sandbox.vhost.url, SANDBOX_STRIPE_WEBHOOK_SECRET: SANDBOX_WEBHOOK_SECRET, SANDBOX_ESIMGO_CALLBACK_SIGNING_KEY: DEFAULT_API_KEY } : {}),
        ...opts.env,
      }),
      { logger },
    );
    stops.push(() => gateway.close());
    const api = `http://127.0.0.1:${gateway.port}`;
    if (!opts.catalogueOnly) stripeSim.control.setWebhooks({ urls: [`${api}/api/v1/webhooks/stripe`] });
    esimSim.control.setCallback({ url: `${api}/api/v1/webhooks/esimgo` });
    sandbox?.connect(api);

    return {
      vhost,
      logger,
      esimGo: { sim: esimSim, server: esimServer, baseUrl: esimBase },
      stripe: { sim: stripeSim, server: stripeServer, baseUrl: stripeBase },
      mail,
      provisioning,
      payment,
      billing,
      order,
      notification,
      gateway,
      api,
      gatewayBrokerLink,
      ...(sandbox ? { sandbox } : {}),
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
