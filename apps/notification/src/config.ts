import { z } from 'zod';
import { env, isProduction, loadConfig } from '@ttelgo/runtime';
import { parseDuration, parseDurationList } from './domain/duration';
import { SECRET_BOX_KEY_BYTES, secretBoxKeyId } from './infrastructure/secret-box';

/**
 * Development-only key of the webhook secrets (the 32 ASCII bytes `ttelgo-dev-only-webhook-key-0000`): public,
 * so it protects nothing. Used, with a warning, only when WEBHOOK_SECRETS_KEY is unset outside production.
 */
export const DEV_WEBHOOK_SECRETS_KEY = 'dHRlbGdvLWRldi1vbmx5LXdlYmhvb2sta2V5LTAwMDA=';

/**
 * A key given as base64 or base64url (padding optional) that decodes to exactly 32 bytes. The message never
 * echoes the value: it is a secret.
 */
export function decodeSecretsKey(raw: string): { key: Buffer } | { problem: string } {
  const text = raw.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(text)) {
    return { problem: `expected ${SECRET_BOX_KEY_BYTES} random bytes in base64 or base64url (e.g. \`openssl rand -base64 32\`), got characters outside that alphabet` };
  }
  const key = Buffer.from(text.replace(/=+$/, '').replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (key.length !== SECRET_BOX_KEY_BYTES) {
    return { problem: `expected ${SECRET_BOX_KEY_BYTES} random bytes in base64 or base64url (e.g. \`openssl rand -base64 32\`), got ${key.length} bytes` };
  }
  return { key };
}

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
    /** Connections per Postgres pool of this process (it has at most two: Prisma's and the node-postgres write path). */
    DB_POOL_MAX: env.int(10, 1, 200),
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
    /** Vendor webhook URLs must be https; default: true in production, false in development and tests. */
    WEBHOOK_REQUIRE_HTTPS: env.optionalString().pipe(z.enum(['true', 'false', '1', '0']).optional()),
    /** Comma-separated ports vendor webhook URLs may use; default: 443,8443 in production, any in development and tests. */
    WEBHOOK_ALLOWED_PORTS: env.optionalString(),
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
    /** Exactly `development` or `test` for the development key; anything else, unset included, is production. */
    NODE_ENV: env.optionalString(),
    /** AES-256-GCM key of the stored webhook signing secrets: 32 random bytes, base64/base64url. Required in production. */
    WEBHOOK_SECRETS_KEY: env.optionalString(),
    /** Comma-separated older keys, used only to decrypt values written before a rotation. */
    WEBHOOK_SECRETS_PREVIOUS_KEYS: env.optionalString(),
  })
  .transform((c, ctx) => {
    const production = isProduction(c.NODE_ENV);
    const insecureDefaults: string[] = [];
    let current: Buffer | undefined;
    if (c.WEBHOOK_SECRETS_KEY === undefined) {
      if (production) {
        ctx.addIssue({ code: 'custom', path: ['WEBHOOK_SECRETS_KEY'], message: 'Required in production' });
      } else {
        current = Buffer.from(DEV_WEBHOOK_SECRETS_KEY, 'base64');
        insecureDefaults.push('WEBHOOK_SECRETS_KEY is not set: encrypting webhook secrets with the public development key (never in production)');
      }
    } else {
      const decoded = decodeSecretsKey(c.WEBHOOK_SECRETS_KEY);
      if ('problem' in decoded) ctx.addIssue({ code: 'custom', path: ['WEBHOOK_SECRETS_KEY'], message: decoded.problem });
      else if (production && decoded.key.equals(Buffer.from(DEV_WEBHOOK_SECRETS_KEY, 'base64'))) {
        ctx.addIssue({ code: 'custom', path: ['WEBHOOK_SECRETS_KEY'], message: 'is the public development key; generate one with `openssl rand -base64 32`' });
      } else current = decoded.key;
    }
    const previous: Buffer[] = [];
    const entries = (c.WEBHOOK_SECRETS_PREVIOUS_KEYS ?? '').split(',').map((s) => s.trim());
    entries.forEach((entry, index) => {
      if (entry === '') return;
      const decoded = decodeSecretsKey(entry);
      if ('problem' in decoded) ctx.addIssue({ code: 'custom', path: ['WEBHOOK_SECRETS_PREVIOUS_KEYS'], message: `key ${index + 1}: ${decoded.problem}` });
      else previous.push(decoded.key);
    });
    const byId = new Map<string, Buffer>();
    for (const key of [...(current ? [current] : []), ...previous]) {
      const id = secretBoxKeyId(key);
      if (byId.has(id) && !byId.get(id)!.equals(key)) {
        ctx.addIssue({ code: 'custom', path: ['WEBHOOK_SECRETS_PREVIOUS_KEYS'], message: `two different keys share the key id ${id}; generate a new key` });
      }
      byId.set(id, key);
    }
    let webhookAllowedPorts: number[] | undefined = production ? [443, 8443] : undefined;
    const ports = c.WEBHOOK_ALLOWED_PORTS?.trim();
    if (ports === '*') webhookAllowedPorts = undefined;
    else if (ports !== undefined) {
      const list = ports.split(',').map((p) => p.trim());
      if (list.some((p) => !/^\d{1,5}$/.test(p) || Number(p) < 1 || Number(p) > 65535)) {
        ctx.addIssue({ code: 'custom', path: ['WEBHOOK_ALLOWED_PORTS'], message: "expected comma-separated ports 1-65535, or '*' for any" });
      } else webhookAllowedPorts = list.map(Number);
    }
    const webhookRequireHttps = c.WEBHOOK_REQUIRE_HTTPS === undefined ? production : c.WEBHOOK_REQUIRE_HTTPS === 'true' || c.WEBHOOK_REQUIRE_HTTPS === '1';
    if (!current) return z.NEVER;
    return { ...c, production, insecureDefaults, secretsKey: current, previousSecretsKeys: previous, webhookAllowedPorts, webhookRequireHttps };
  })
  .transform((c) => ({
    databaseUrl: c.DATABASE_URL,
    schema: c.DB_SCHEMA,
    dbPoolMax: c.DB_POOL_MAX,
    amqpUrl: c.AMQP_URL,
    opsPort: c.OPS_PORT,
    logLevel: c.LOG_LEVEL,
    smtp: { url: c.SMTP_URL, timeoutMs: c.SMTP_TIMEOUT_MS },
    mailFrom: c.MAIL_FROM,
    delivery: { retryDelaysMs: c.DELIVERY_RETRY_DELAYS_MS, pollIntervalMs: c.DELIVERY_POLL_INTERVAL_MS, concurrency: c.DELIVERY_CONCURRENCY },
    publicAppUrl: c.PUBLIC_APP_URL,
    webhooks: {
      allowPrivateUrls: c.WEBHOOK_ALLOW_PRIVATE_URLS,
      requireHttps: c.webhookRequireHttps,
      allowedPorts: c.webhookAllowedPorts,
      retryDelaysMs: c.WEBHOOK_RETRY_DELAYS_MS,
      timeoutMs: c.WEBHOOK_TIMEOUT_MS,
      concurrency: c.WEBHOOK_CONCURRENCY,
      /** Never log these. */
      secretsKey: c.secretsKey,
      previousSecretsKeys: c.previousSecretsKeys,
    },
    production: c.production,
    /** Dev-only defaults that were applied; logged as warnings at start. */
    insecureDefaults: c.insecureDefaults,
  }));

export type NotificationConfig = z.infer<typeof NotificationConfigSchema>;

/** Validates the environment at start; a ConfigError lists every bad variable. */
export function loadNotificationConfig(environment: NodeJS.ProcessEnv = process.env): NotificationConfig {
  return loadConfig(NotificationConfigSchema, environment);
}
