import { z } from 'zod';
import { env, loadConfig } from '@ttelgo/runtime';
import { parseDuration, parseDurationList } from './domain/duration';

function duration(def: string) {
  return env.string(def).transform((raw, ctx) => {
    try {
      return parseDuration(raw);
    } catch (err) {
      ctx.addIssue({ code: 'custom', message: (err as Error).message });
      return z.NEVER;
    }
  });
}

/** `Name <address>` or a bare address; the domain part names our Message-IDs. */
function mailbox(def: string) {
  return env.string(def).transform((raw, ctx) => {
    const text = raw.trim();
    const address = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(text)?.[1] ?? (/^[^<>\s]+@[^<>\s]+$/.test(text) ? text : undefined);
    const domain = address?.split('@')[1];
    if (!address || !domain) {
      ctx.addIssue({ code: 'custom', message: `expected "Name <user@domain>" or user@domain, got '${raw}'` });
      return z.NEVER;
    }
    return { header: text, address, domain };
  });
}

export const NotificationConfigSchema = z
  .object({
    DATABASE_URL: env.url('postgresql://postgres@127.0.0.1:5432/postgres'),
    DB_SCHEMA: env.string('notifications').pipe(z.string().regex(/^[a-z_][a-z0-9_]{0,62}$/, 'expected a lower-case Postgres identifier')),
    AMQP_URL: env.url('amqp://guest:guest@127.0.0.1:5672'),
    OPS_PORT: env.port(9106),
    LOG_LEVEL: env.string('info'),
    /** nodemailer connection URL: smtp://host:port, smtp://user:pass@host:587, smtps://host:465. */
    SMTP_URL: env.string('smtp://127.0.0.1:1025').pipe(z.string().regex(/^smtps?:\/\/[^\s]+$/, 'expected smtp://host:port or smtps://host:port')),
    SMTP_TIMEOUT_MS: env.int(10_000, 100, 120_000),
    MAIL_FROM: mailbox('TtelGo <no-reply@ttelgo.local>'),
    /** Delay before attempt 2, 3, ...: with the default an e-mail gets 6 attempts over about 2.5 hours. */
    DELIVERY_RETRY_DELAYS_MS: env.string('10s,1m,5m,30m,2h').transform((raw, ctx) => {
      try {
        return parseDurationList(raw);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
    DELIVERY_POLL_INTERVAL_MS: duration('1000'),
    DELIVERY_CONCURRENCY: env.int(2, 1, 32),
    /** Base URL of the customer app, for links in mails. */
    PUBLIC_APP_URL: env.url('http://localhost:8080'),
    /** Development and tests only: lets vendor webhooks target private, loopback and link-local addresses. */
    WEBHOOK_ALLOW_PRIVATE_URLS: env.bool(false),
    /** Delay before webhook attempt 2, 3, ...: with the default 7 attempts over about 8.6 hours. */
    WEBHOOK_RETRY_DELAYS_MS: env.string('10s,1m,5m,30m,2h,6h').transform((raw, ctx) => {
      try {
        return parseDurationList(raw);
      } catch (err) {
        ctx.addIssue({ code: 'custom', message: (err as Error).message });
        return z.NEVER;
      }
    }),
    /** Whole-request timeout of one webhook POST. */
    WEBHOOK_TIMEOUT_MS: env.int(10_000, 100, 60_000),
    WEBHOOK_CONCURRENCY: env.int(2, 1, 32),
  })
  .transform((c) => ({
    databaseUrl: c.DATABASE_URL,
    schema: c.DB_SCHEMA,
    amqpUrl: c.AMQP_URL,
    opsPort: c.OPS_PORT,
    logLevel: c.LOG_LEVEL,
    smtp: { url: c.SMTP_URL, timeoutMs: c.SMTP_TIMEOUT_MS },
    mailFrom: c.MAIL_FROM,
    delivery: { retryDelaysMs: c.DELIVERY_RETRY_DELAYS_MS, pollIntervalMs: c.DELIVERY_POLL_INTERVAL_MS, concurrency: c.DELIVERY_CONCURRENCY },
    publicAppUrl: c.PUBLIC_APP_URL,
    webhooks: {
      allowPrivateUrls: c.WEBHOOK_ALLOW_PRIVATE_URLS,
      retryDelaysMs: c.WEBHOOK_RETRY_DELAYS_MS,
      timeoutMs: c.WEBHOOK_TIMEOUT_MS,
      concurrency: c.WEBHOOK_CONCURRENCY,
    },
  }));

export type NotificationConfig = z.infer<typeof NotificationConfigSchema>;

/** Validates the environment at start; a ConfigError lists every bad variable. */
export function loadNotificationConfig(environment: NodeJS.ProcessEnv = process.env): NotificationConfig {
  return loadConfig(NotificationConfigSchema, environment);
}
