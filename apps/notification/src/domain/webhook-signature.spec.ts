import { createHmac } from 'node:crypto';
import { signWebhookPayload, verifyWebhookSignature } from './webhook-signature';

const secret = 'whsec_test-secret';
const body = '{"id":"d1","type":"order.completed","createdAt":"2026-12-01T00:00:00.000Z","data":{}}';
const t = 1_800_000_000;

describe('webhook signatures', () => {
  it('signs HMAC-SHA256 of "<t>.<body>" as t=..,v1=<hex>', () => {
    const expected = createHmac('sha256', secret).update(`${t}.${body}`).digest('hex');
    expect(signWebhookPayload(body, secret, t)).toBe(`t=${t},v1=${expected}`);
  });

  it('verifies its own signature within the tolerance', () => {
    expect(verifyWebhookSignature(body, signWebhookPayload(body, secret, t), secret, 300, t + 299)).toBe(true);
    expect(verifyWebhookSignature(Buffer.from(body), signWebhookPayload(body, secret, t), secret, 300, t - 10)).toBe(true);
  });

  it('refuses a changed body, another secret, an old timestamp and malformed headers', () => {
    const header = signWebhookPayload(body, secret, t);
    expect(verifyWebhookSignature(body.replace('d1', 'd2'), header, secret, 300, t)).toBe(false);
    expect(verifyWebhookSignature(body, header, 'whsec_other', 300, t)).toBe(false);
    expect(verifyWebhookSignature(body, header, secret, 300, t + 301)).toBe(false);
    expect(verifyWebhookSignature(body, header.replace(`t=${t}`, `t=${t + 1}`), secret, 300, t)).toBe(false);
    expect(verifyWebhookSignature(body, undefined, secret, 300, t)).toBe(false);
    expect(verifyWebhookSignature(body, 'v1=abc', secret, 300, t)).toBe(false);
    expect(verifyWebhookSignature(body, `t=${t}`, secret, 300, t)).toBe(false);
  });

  it('accepts any of several v1 signatures (secret rotation on the sender side)', () => {
    const good = signWebhookPayload(body, secret, t).split(',')[1];
    const bad = signWebhookPayload(body, 'whsec_old', t).split(',')[1];
    expect(verifyWebhookSignature(body, `t=${t},${bad},${good}`, secret, 300, t)).toBe(true);
  });
});
