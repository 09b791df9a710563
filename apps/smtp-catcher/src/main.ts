/**
 * The local SMTP catcher as a process: SMTP on SMTP_CATCHER_SMTP_PORT (default 1025), the web page and JSON API
 * on SMTP_CATCHER_WEB_PORT (default 1080). Point the notification service's SMTP_URL at it.
 */
import { z } from 'zod';
import { createLogger } from '@ttelgo/observability';
import { createLifecycle, env, loadConfig } from '@ttelgo/runtime';
import { startSmtpCatcher } from './catcher.app';

const ConfigSchema = z.object({
  SMTP_CATCHER_SMTP_PORT: env.port(1025),
  SMTP_CATCHER_WEB_PORT: env.port(1080),
  SMTP_CATCHER_HOST: env.string('127.0.0.1'),
  SMTP_CATCHER_MAX_MESSAGES: env.int(1000, 1, 100_000),
  LOG_LEVEL: env.string('info'),
});

async function main(): Promise<void> {
  const config = loadConfig(ConfigSchema);
  const logger = createLogger({ service: 'smtp-catcher', level: config.LOG_LEVEL });
  const lifecycle = createLifecycle(logger);
  lifecycle.installSignalHandlers();
  const catcher = await startSmtpCatcher({
    smtpPort: config.SMTP_CATCHER_SMTP_PORT,
    webPort: config.SMTP_CATCHER_WEB_PORT,
    host: config.SMTP_CATCHER_HOST,
    maxMessages: config.SMTP_CATCHER_MAX_MESSAGES,
    logger,
  });
  lifecycle.onShutdown('smtp-catcher', () => catcher.close());
  logger.info({ smtpPort: catcher.smtpPort, webPort: catcher.webPort, url: catcher.webUrl }, `smtp-catcher: read the mail at ${catcher.webUrl}`);
}

main().catch((err: unknown) => {
  process.stderr.write(`smtp-catcher failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
