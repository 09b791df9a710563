/**
 * Development or production. Development defaults (public secrets, a seeded development admin) apply only when
 * NODE_ENV is exactly `development` or `test`; anything else, unset, `prod` and `staging` included, is production.
 * A typo must never fall back to the public values.
 */
export type DeploymentMode = 'development' | 'test' | 'production';

export function deploymentModeOf(nodeEnv: string | undefined): DeploymentMode {
  return nodeEnv === 'development' || nodeEnv === 'test' ? nodeEnv : 'production';
}

export function isProduction(nodeEnv: string | undefined): boolean {
  return deploymentModeOf(nodeEnv) === 'production';
}

/**
 * Secrets that are public because they are printed in this repository (code defaults, the former compose
 * defaults, the README): a production process refuses to start with any of them, as a whole value or as the
 * password of a connection URL.
 */
export const PUBLIC_SECRET_VALUES: readonly string[] = [
  'ttelgo-dev-only-jwt-secret-not-for-production-0123456789',
  'ttelgo-compose-dev-only-jwt-secret-0123456789',
  'whsec_ttelgo_dev_secret',
  'ttelgo-admin-dev-password',
  'esimgo-sim-key',
  'sk_test_ttelgo_sim',
  'dHRlbGdvLWRldi1vbmx5LXdlYmhvb2sta2V5LTAwMDA=',
  'dHRlbGdvLWNvbXBvc2UtZGV2LW9ubHktd2hrZXktMDE=',
];

/** Short public passwords, refused only inside connection URLs (`ttelgo` is also the JWT issuer, which is no secret). */
export const PUBLIC_URL_PASSWORDS: readonly string[] = [
  'ttelgo',
  'ttelgo-gateway-dev',
  'ttelgo-order-dev',
  'ttelgo-payment-dev',
  'ttelgo-vendor-billing-dev',
  'ttelgo-esim-provisioning-dev',
  'ttelgo-notification-dev',
];

function urlPassword(value: string): string | undefined {
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return undefined;
  try {
    const password = new URL(value).password;
    return password === '' ? undefined : decodeURIComponent(password);
  } catch {
    return undefined;
  }
}

/**
 * Every place in a resolved configuration (defaults included) that holds a public secret, as `path: reason`. The
 * value itself is never repeated in the message.
 */
export function publicSecretsIn(config: unknown, path: string[] = []): Array<{ variable: string; message: string }> {
  if (typeof config === 'string') {
    const variable = path.join('.') || '(root)';
    if (PUBLIC_SECRET_VALUES.includes(config)) return [{ variable, message: 'is a public development value; generate a secret (npm run env:generate)' }];
    const password = urlPassword(config);
    if (password !== undefined && (PUBLIC_URL_PASSWORDS.includes(password) || PUBLIC_SECRET_VALUES.includes(password))) {
      return [{ variable, message: 'carries a public development password; generate one (npm run env:generate)' }];
    }
    return [];
  }
  if (config === null || typeof config !== 'object' || Buffer.isBuffer(config) || config instanceof Date) return [];
  return Object.entries(config as Record<string, unknown>).flatMap(([key, value]) => publicSecretsIn(value, [...path, key]));
}
