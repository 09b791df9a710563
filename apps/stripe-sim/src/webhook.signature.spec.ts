import Stripe from 'stripe';
import { signatureHeader } from './webhook.signature';

describe('webhook signature', () => {
  const webhooks = new Stripe('sk_test_x').webhooks;
  const payload = JSON.stringify({ id: 'evt_1', object: 'event', type: 'payment_intent.succeeded' }, null, 2);

  it('matches the SDK test helper byte for byte', () => {
    const t = 1_700_000_000;
    expect(signatureHeader(payload, 'whsec_abc', t)).toBe(webhooks.generateTestHeaderString({ payload, secret: 'whsec_abc', timestamp: t }));
  });

  it('is accepted by constructEvent with a current timestamp and refused when too old', () => {
    const now = Math.floor(Date.now() / 1000);
    expect(webhooks.constructEvent(payload, signatureHeader(payload, 'whsec_abc', now), 'whsec_abc').id).toBe('evt_1');
    expect(() => webhooks.constructEvent(payload, signatureHeader(payload, 'whsec_abc', now - 301), 'whsec_abc')).toThrow(/tolerance/);
  });
});
