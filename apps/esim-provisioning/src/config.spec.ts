import { ConfigError } from '@ttelgo/runtime';
import { loadEsimProvisioningConfig } from './config';

describe('esim-provisioning config', () => {
  it('has working defaults for local runs', () => {
    const config = loadEsimProvisioningConfig({ NODE_ENV: 'test' });
    expect(config).toMatchObject({
      schema: 'esims',
      opsPort: 9105,
      esimGo: { baseUrl: 'http://127.0.0.1:12112/v2.4', apiKey: 'esimgo-sim-key', timeoutMs: 5000, rateLimitPerSecond: 10, breakerResetMs: 10_000 },
      retailMarkupBps: 3000,
      catalogueCurrency: 'USD',
      catalogueSyncIntervalMs: 3_600_000,
    });
    expect(config.redisUrl).toBeUndefined();
  });

  it('refuses more than one replica without Redis (the eSIM Go budget would be multiplied)', () => {
    expect(() => loadEsimProvisioningConfig({ NODE_ENV: 'test', REPLICAS: '2' })).toThrow(/REDIS_URL: required with REPLICAS=2: eSIM Go's 10 requests\/s are shared through Redis/);
    expect(loadEsimProvisioningConfig({ NODE_ENV: 'test', REPLICAS: '2', REDIS_URL: 'redis://127.0.0.1:6379' }).replicas).toBe(2);
    expect(loadEsimProvisioningConfig({ NODE_ENV: 'test' }).replicas).toBe(1);
  });

  it('reads the usage notice thresholds (80 and 100 % by default) and refuses what is not a percentage', () => {
    expect(loadEsimProvisioningConfig({ NODE_ENV: 'test' }).usageNoticeThresholds).toEqual([80, 100]);
    expect(loadEsimProvisioningConfig({ NODE_ENV: 'test', USAGE_NOTICE_THRESHOLDS: '100, 50,80,80' }).usageNoticeThresholds).toEqual([50, 80, 100]);
    expect(() => loadEsimProvisioningConfig({ NODE_ENV: 'test', USAGE_NOTICE_THRESHOLDS: '80,120' })).toThrow(/USAGE_NOTICE_THRESHOLDS: 120 is not between 1 and 100/);
    expect(() => loadEsimProvisioningConfig({ NODE_ENV: 'test', USAGE_NOTICE_THRESHOLDS: 'eighty' })).toThrow(/USAGE_NOTICE_THRESHOLDS/);
  });

  it('keeps a decimal markup exactly, as basis points', () => {
    expect(loadEsimProvisioningConfig({ NODE_ENV: 'test', RETAIL_MARKUP_PERCENT: '27.5' }).retailMarkupBps).toBe(2750);
    expect(loadEsimProvisioningConfig({ NODE_ENV: 'test', RETAIL_MARKUP_PERCENT: '0' }).retailMarkupBps).toBe(0);
    expect(loadEsimProvisioningConfig({ NODE_ENV: 'test', CATALOGUE_CURRENCY: 'eur' }).catalogueCurrency).toBe('EUR');
  });

  it('fails fast listing every bad variable', () => {
    let error: unknown;
    try {
      loadEsimProvisioningConfig({ NODE_ENV: 'test', RETAIL_MARKUP_PERCENT: '27.555', ESIMGO_RATE_LIMIT_PER_SECOND: '0', DB_SCHEMA: 'Bad-Name', REDIS_URL: 'nope' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const variables = (error as ConfigError).issues.map((i) => i.variable).sort();
    expect(variables).toEqual(['DB_SCHEMA', 'ESIMGO_RATE_LIMIT_PER_SECOND', 'REDIS_URL', 'RETAIL_MARKUP_PERCENT']);
  });

  it('has provisioning defaults and refuses a lease shorter than a purchase can take', () => {
    expect(loadEsimProvisioningConfig({ NODE_ENV: 'test' }).provisioning).toEqual({
      sendClientReference: false,
      leaseMs: 120_000,
      reconcileIntervalMs: 60_000,
      deadlineMs: 30 * 60_000,
      pauseMs: 60_000,
      usageRefreshAfterMs: 300_000,
      usageRefreshBudgetMs: 1500,
      topupCompatibilityBudgetMs: 3000,
    });
    expect(loadEsimProvisioningConfig({ NODE_ENV: 'test', ESIMGO_SEND_CLIENT_REFERENCE: 'true' }).provisioning.sendClientReference).toBe(true);
    let error: unknown;
    try {
      loadEsimProvisioningConfig({ NODE_ENV: 'test', ESIMGO_TIMEOUT_MS: '5000', PROVISION_LEASE_MS: '10000' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).issues.map((i) => i.variable)).toEqual(['PROVISION_LEASE_MS']);
  });

  it('has usage sync defaults (daily, 20 h threshold, 5000 calls per run at 5/s) and keeps its pace within the eSIM Go budget', () => {
    expect(loadEsimProvisioningConfig({ NODE_ENV: 'test' }).usageSync).toEqual({
      intervalMs: 86_400_000,
      firstRunDelayMs: 300_000,
      staleAfterMs: 72_000_000,
      maxPerRun: 5000,
      batchSize: 100,
      callsPerSecond: 5,
    });
    expect(
      loadEsimProvisioningConfig({ NODE_ENV: 'test', ESIM_USAGE_SYNC_INTERVAL_MS: '3600000', ESIM_USAGE_SYNC_MAX_PER_RUN: '10', ESIM_USAGE_SYNC_CALLS_PER_SECOND: '10' }).usageSync,
    ).toMatchObject({ intervalMs: 3_600_000, maxPerRun: 10, callsPerSecond: 10 });
    const badVariables = (environment: NodeJS.ProcessEnv): string[] => {
      try {
        loadEsimProvisioningConfig(environment);
      } catch (err) {
        expect(err).toBeInstanceOf(ConfigError);
        return (err as ConfigError).issues.map((i) => i.variable);
      }
      return [];
    };
    expect(badVariables({ ESIMGO_RATE_LIMIT_PER_SECOND: '10', ESIM_USAGE_SYNC_CALLS_PER_SECOND: '11' })).toEqual(['ESIM_USAGE_SYNC_CALLS_PER_SECOND']);
    expect(badVariables({ ESIM_USAGE_SYNC_MAX_PER_RUN: '0' })).toEqual(['ESIM_USAGE_SYNC_MAX_PER_RUN']);
  });
});
