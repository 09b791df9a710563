import { ConfigError } from '@ttelgo/runtime';
import { loadPaymentConfig } from './config';

describe('payment config', () => {
  it('defaults to the simulator key, pointed at the local stripe-sim', () => {
    const c = loadPaymentConfig({ NODE_ENV: 'test' });
    expect(c.schema).toBe('payments');
    expect(c.opsPort).toBe(9103);
    expect(c.stripe).toMatchObject({ secretKey: 'sk_test_ttelgo_sim', publishableKey: 'pk_test_ttelgo_sim', apiBase: 'http://127.0.0.1:12111' });
    expect(c.stripeEvents.retryIntervalMs).toBe(300_000);
  });

  it('a real key without STRIPE_API_BASE talks to api.stripe.com; an explicit base always wins', () => {
    expect(loadPaymentConfig({ NODE_ENV: 'test', STRIPE_SECRET_KEY: 'sk_test_51Abc', STRIPE_PUBLISHABLE_KEY: 'pk_test_51Abc' }).stripe.apiBase).toBeUndefined();
    expect(loadPaymentConfig({ NODE_ENV: 'test', STRIPE_SECRET_KEY: 'sk_live_51Abc', STRIPE_API_BASE: 'http://sim:12111' }).stripe.apiBase).toBe('http://sim:12111');
  });

  it('refuses what is not a Stripe key', () => {
    expect(() => loadPaymentConfig({ NODE_ENV: 'test', STRIPE_SECRET_KEY: 'pk_test_oops' })).toThrow(ConfigError);
  });
});
