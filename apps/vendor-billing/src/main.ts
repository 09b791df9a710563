import './instrument';
import { createLogger } from '@ttelgo/observability';
import { createLifecycle } from '@ttelgo/runtime';
import { loadVendorBillingConfig } from './config';
import { SERVICE_NAME, startVendorBilling } from './service';

async function main(): Promise<void> {
  const config = loadVendorBillingConfig(process.env);
  const logger = createLogger({ service: SERVICE_NAME, level: config.logLevel });
  const lifecycle = createLifecycle(logger);
  // Installed before start: a SIGTERM while Postgres or the broker is still being reached must still stop us.
  lifecycle.installSignalHandlers();
  const service = await startVendorBilling(config, { logger });
  lifecycle.onShutdown(SERVICE_NAME, () => service.close());
}

main().catch((err: unknown) => {
  // The logger may not exist yet (a ConfigError): stderr, then a non-zero exit.
  process.stderr.write(`vendor-billing failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
