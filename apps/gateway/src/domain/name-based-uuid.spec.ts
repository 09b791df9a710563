import { z } from 'zod';
import { isValidIdempotencyKey } from './idempotency-key';
import { nameBasedUuid, STRIPE_EVENT_NAMESPACE } from './name-based-uuid';

describe('nameBasedUuid', () => {
  it('matches the RFC 9562 test vector for v5 (DNS namespace, www.example.com)', () => {
    expect(nameBasedUuid('6ba7b810-9dad-11d1-80b4-00c04fd430c8', 'www.example.com')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });

  it('is deterministic, distinct per name and a valid UUID', () => {
    const a = nameBasedUuid(STRIPE_EVENT_NAMESPACE, 'evt_1');
    expect(nameBasedUuid(STRIPE_EVENT_NAMESPACE, 'evt_1')).toBe(a);
    expect(nameBasedUuid(STRIPE_EVENT_NAMESPACE, 'evt_2')).not.toBe(a);
    expect(z.uuid().safeParse(a).success).toBe(true);
  });
});

describe('isValidIdempotencyKey', () => {
  it.each([['a'], ['x'.repeat(255)], ['2f1c-uuid-like key_1']])('accepts %s', (key) => expect(isValidIdempotencyKey(key)).toBe(true));
  it.each([[''], [' '], ['x'.repeat(256)], ['tab\there'], ['é'], ['new\nline']])('rejects %j', (key) => expect(isValidIdempotencyKey(key)).toBe(false));
});
