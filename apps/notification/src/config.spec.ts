import { randomBytes } from 'node:crypto';
import { ConfigError } from '@ttelgo/runtime';
import { DEV_WEBHOOK_SECRETS_KEY, decodeSecretsKey, loadNotificationConfig } from './config';
import { secretBoxKeyId } from './infrastructure/secret-box';

function issuesOf(env: NodeJS.ProcessEnv): string[] {
  try {
    loadNotificationConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.issues.map((i) => `${i.variable}: ${i.message}`);
    throw err;
  }
  throw new Error('expected a ConfigError');
}

describe('WEBHOOK_SECRETS_KEY', () => {
  const key = randomBytes(32);

  it('accepts 32 bytes in base64 (padded or not) and base64url', () => {
    for (const text of [key.toString('base64'), key.toString('base64').replace(/=+$/, ''), key.toString('base64url'), ` ${key.toString('base64url')}\n`]) {
      const config = loadNotificationConfig({ WEBHOOK_SECRETS_KEY: text, NODE_ENV: 'production' });
      expect(config.webhooks.secretsKey.equals(key)).toBe(true);
      expect(config.production).toBe(true);
      expect(config.insecureDefaults).toEqual([]);
    }
  });

  it('refuses a key of another length, or not base64, without echoing it', () => {
    const short = randomBytes(31).toString('base64');
    const long = randomBytes(33).toString('base64url');
    expect(issuesOf({ WEBHOOK_SECRETS_KEY: short })).toEqual([
      'WEBHOOK_SECRETS_KEY: expected 32 random bytes in base64 or base64url (e.g. `openssl rand -base64 32`), got 31 bytes',
    ]);
    expect(issuesOf({ WEBHOOK_SECRETS_KEY: long })).toEqual([
      'WEBHOOK_SECRETS_KEY: expected 32 random bytes in base64 or base64url (e.g. `openssl rand -base64 32`), got 33 bytes',
    ]);
    expect(issuesOf({ WEBHOOK_SECRETS_KEY: `${key.toString('base64url')}A` })[0]).toContain('got 33 bytes');
    expect(issuesOf({ WEBHOOK_SECRETS_KEY: key.toString('base64url').slice(0, 42) })[0]).toContain('got 31 bytes');
    const notBase64 = 'this is not base64 at all, it is a passphrase!';
    const issues = issuesOf({ WEBHOOK_SECRETS_KEY: notBase64 });
    expect(issues).toEqual(['WEBHOOK_SECRETS_KEY: expected 32 random bytes in base64 or base64url (e.g. `openssl rand -base64 32`), got characters outside that alphabet']);
    expect(issues.join('\n')).not.toContain(notBase64);
    expect(decodeSecretsKey(short)).toEqual({ problem: expect.stringContaining('got 31 bytes') });
  });

  it('is required in production, and the public development key is refused there', () => {
    expect(issuesOf({ NODE_ENV: 'production' })).toEqual(['WEBHOOK_SECRETS_KEY: Required in production']);
    expect(issuesOf({ NODE_ENV: 'Production', WEBHOOK_SECRETS_KEY: DEV_WEBHOOK_SECRETS_KEY })).toEqual([
      'WEBHOOK_SECRETS_KEY: is the public development key; generate one with `openssl rand -base64 32`',
    ]);
  });

  it('outside production defaults to the public development key, reported as an insecure default', () => {
    const config = loadNotificationConfig({ NODE_ENV: 'test' });
    expect(config.production).toBe(false);
    expect(config.webhooks.secretsKey.equals(Buffer.from(DEV_WEBHOOK_SECRETS_KEY, 'base64'))).toBe(true);
    expect(Buffer.from(DEV_WEBHOOK_SECRETS_KEY, 'base64').toString('utf8')).toContain('dev-only');
    expect(config.insecureDefaults).toEqual([expect.stringMatching(/^WEBHOOK_SECRETS_KEY is not set: .*development key \(never in production\)$/)]);
    expect(config.webhooks.previousSecretsKeys).toEqual([]);
  });
});

describe('WEBHOOK_SECRETS_PREVIOUS_KEYS', () => {
  it('takes a comma-separated list (blanks ignored) of decrypt-only keys', () => {
    const [a, b] = [randomBytes(32), randomBytes(32)];
    const config = loadNotificationConfig({ NODE_ENV: 'test',
      WEBHOOK_SECRETS_KEY: randomBytes(32).toString('base64'),
      WEBHOOK_SECRETS_PREVIOUS_KEYS: ` ${a.toString('base64')} ,, ${b.toString('base64url')},`,
    });
    expect(config.webhooks.previousSecretsKeys.map((k) => secretBoxKeyId(k))).toEqual([secretBoxKeyId(a), secretBoxKeyId(b)]);
  });

  it('names the bad entry by position, never by value', () => {
    const bad = randomBytes(16).toString('base64');
    const issues = issuesOf({ WEBHOOK_SECRETS_KEY: randomBytes(32).toString('base64'), WEBHOOK_SECRETS_PREVIOUS_KEYS: `${randomBytes(32).toString('base64')},${bad}` });
    expect(issues).toEqual(['WEBHOOK_SECRETS_PREVIOUS_KEYS: key 2: expected 32 random bytes in base64 or base64url (e.g. `openssl rand -base64 32`), got 16 bytes']);
    expect(issues.join('\n')).not.toContain(bad);
  });
});
