import { failureCodeOf } from './provisioning-failure';

describe('eSIM Go refusal codes', () => {
  it.each([
    ['Insufficient balance', 'PROVIDER_INSUFFICIENT_BALANCE'],
    ['Bundle unavailable', 'BUNDLE_UNAVAILABLE'],
    ['Bundle not found: esim_X', 'BUNDLE_NOT_FOUND'],
    ['quantity must equal the number of iccids', 'PROVIDER_REJECTED'],
  ])('%s -> %s', (message, code) => {
    expect(failureCodeOf(message)).toBe(code);
  });
});
