import { failureCodeOf } from './provisioning-failure';

describe('eSIM Go refusal codes', () => {
  it.each([
    ['Insufficient balance', 'PROVIDER_INSUFFICIENT_BALANCE'],
    ['Bundle unavailable', 'BUNDLE_UNAVAILABLE'],
    ['Bundle not found: esim_X', 'BUNDLE_NOT_FOUND'],
    ['quantity must equal the number of iccids', 'PROVIDER_REJECTED'],
    ['Bundle esim_2GB_15D_FR_V2 is not compatible with eSIM 8944530000000000000', 'BUNDLE_NOT_COMPATIBLE'],
    ['eSIM not found: 8944530000000000000', 'ESIM_NOT_FOUND'],
  ])('%s -> %s', (message, code) => {
    expect(failureCodeOf(message)).toBe(code);
  });
});
