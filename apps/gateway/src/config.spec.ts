import { ConfigError } from '@ttelgo/runtime';
import { loadGatewayConfig } from './config';

describe('loadGatewayConfig', () => {
  it('has the documented defaults', () => {
    expect(loadGatewayConfig({})).toEqual({
      PORT: 8080,
      OPS_PORT: 9101,
      AMQP_URL: 'amqp://guest:guest@127.0.0.1:5672',
      RPC_TIMEOUT_MS: 3000,
      CATALOGUE_CACHE_TTL_MS: 30000,
      CATALOGUE_CACHE_MAX_ENTRIES: 5000,
      AMQP_MAX_DISCONNECTED_MS: 300000,
      PUBLIC_BASE_URL: undefined,
      LOG_LEVEL: 'info',
    });
  });

  it('accepts port 0 and blank values as unset', () => {
    const config = loadGatewayConfig({ PORT: '0', OPS_PORT: '0', LOG_LEVEL: '', PUBLIC_BASE_URL: ' ' });
    expect(config).toMatchObject({ PORT: 0, OPS_PORT: 0, LOG_LEVEL: 'info', PUBLIC_BASE_URL: undefined });
  });

  it('reports every bad variable at once', () => {
    try {
      loadGatewayConfig({ PORT: 'http', RPC_TIMEOUT_MS: '-1', AMQP_URL: 'not a url', LOG_LEVEL: 'loud' });
      throw new Error('expected a ConfigError');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as ConfigError).issues.map((i) => i.variable).sort()).toEqual(['AMQP_URL', 'LOG_LEVEL', 'PORT', 'RPC_TIMEOUT_MS']);
    }
  });
});
