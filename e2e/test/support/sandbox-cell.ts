/**
 * The sandbox cell of the test platform: order, vendor-billing, esim-provisioning, payment and notification again, on
 * their own RabbitMQ vhost and schemas, with simulators of their own (the eSIM Go one with the magic test bundles),
 * exactly as production runs it beside the live services. The gateway reaches it through SANDBOX_AMQP_URL.
 */
import { listen } from '@ttelgo/http';
import type { Logger } from '@ttelgo/observability';
import { createTestVhost, type TestVhost } from '@ttelgo/testing';
import { createEsimGoSimulator, DEFAULT_API_KEY, type EsimGoSimulator } from '@ttelgo/esimgo-sim';
import { createStripeSimulator, type StripeSimulator } from '@ttelgo/stripe-sim';
import { loadEsimProvisioningConfig } from '../../../apps/esim-provisioning/src/config';
import { startEsimProvisioning } from '../../../apps/esim-provisioning/src/service';
import { loadPaymentConfig } from '../../../apps/payment/src/config';
import { startPayment } from '../../../apps/payment/src/service';
import { loadVendorBillingConfig } from '../../../apps/vendor-billing/src/config';
import { startVendorBilling } from '../../../apps/vendor-billing/src/service';
import { loadOrderConfig } from '../../../apps/order/src/config';
import { startOrder } from '../../../apps/order/src/service';
import { loadNotificationConfig } from '../../../apps/notification/src/config';
import { startNotification } from '../../../apps/notification/src/service';

export const SANDBOX_WEBHOOK_SECRET = 'whsec_e2e_sandbox_secret';

export interface SandboxCell {
  vhost: TestVhost;
  esimGo: EsimGoSimulator;
  stripe: StripeSimulator;
  /** http://127.0.0.1:<port> of the sandbox's stripe-sim (test cards confirm there). */
  stripeBaseUrl: string;
  /** Points the simulators' webhooks at the gateway's sandbox ingress. */
  connect(gatewayUrl: string): void;
}

export async function startSandboxCell(opts: {
  logger: Logger;
  stops: Array<() => Promise<void>>;
  schema: (name: string) => string;
  common: Record<string, string>;
  smtpPort: number;
}): Promise<SandboxCell> {
  const { logger, stops, schema } = opts;
  const vhost = await createTestVhost('e2e_sandbox');
  stops.push(() => vhost.dispose());
  const common = { ...opts.common, AMQP_URL: vhost.url };

  const esimGo = createEsimGoSimulator({ apiKeys: [DEFAULT_API_KEY], logger, rateLimitPerSecond: 10, testBundles: true });
  const esimServer = await listen(esimGo.app, 0, '127.0.0.1');
  stops.push(async () => {
    await esimServer.close();
    esimGo.close();
  });
  const stripe = createStripeSimulator({ logger, webhookUrls: [], webhookSecret: SANDBOX_WEBHOOK_SECRET, webhookRetryBaseMs: 200 });
  const stripeServer = await listen(stripe.app, 0, '127.0.0.1');
  stops.push(async () => {
    await stripeServer.close();
    stripe.close();
  });

  const provisioning = await startEsimProvisioning(
    loadEsimProvisioningConfig({
      ...common,
      DB_SCHEMA: schema('sbx_esims'),
      ESIMGO_BASE_URL: `http://127.0.0.1:${esimServer.port}/v2.4`,
      ESIMGO_API_KEY: DEFAULT_API_KEY,
      // test_completes_after_5s: the purchase answers after 5 s.
      ESIMGO_TIMEOUT_MS: '15000',
    }),
    { logger },
  );
  stops.push(() => provisioning.close());
  await provisioning.syncCatalogueNow();
  const payment = await startPayment(loadPaymentConfig({ ...common, DB_SCHEMA: schema('sbx_payments'), STRIPE_API_BASE: `http://127.0.0.1:${stripeServer.port}` }), { logger });
  stops.push(() => payment.close());
  const billing = await startVendorBilling(loadVendorBillingConfig({ ...common, DB_SCHEMA: schema('sbx_billing') }), { logger });
  stops.push(() => billing.close());
  const order = await startOrder(loadOrderConfig({ ...common, DB_SCHEMA: schema('sbx_orders') }), { logger });
  stops.push(() => order.close());
  const notification = await startNotification(
    loadNotificationConfig({ ...common, DB_SCHEMA: schema('sbx_notifications'), SMTP_URL: `smtp://127.0.0.1:${opts.smtpPort}`, DELIVERY_RETRY_DELAYS_MS: '200,500' }),
    { logger },
  );
  stops.push(() => notification.close());

  return {
    vhost,
    esimGo,
    stripe,
    stripeBaseUrl: `http://127.0.0.1:${stripeServer.port}`,
    connect(gatewayUrl) {
      stripe.control.setWebhooks({ urls: [`${gatewayUrl}/api/v1/sandbox/webhooks/stripe`] });
      esimGo.control.setCallback({ url: `${gatewayUrl}/api/v1/sandbox/webhooks/esimgo` });
    },
  };
}
