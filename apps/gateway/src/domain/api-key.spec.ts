import { formatApiKey, parseApiKey } from './api-key';

describe('API key format', () => {
  const secret = 'A_b-c'.padEnd(43, 'x');

  it('round-trips, even when the secret contains _ and -', () => {
    expect(parseApiKey(formatApiKey('abcdef0123456789wxyz', secret))).toEqual({ keyId: 'abcdef0123456789wxyz', secret, mode: 'live' });
  });

  it('tells a test key (ttk_test_) from a live one, also when a live key id begins with "test"', () => {
    expect(formatApiKey('abcdef0123456789wxyz', secret, 'test')).toBe(`ttk_test_abcdef0123456789wxyz_${secret}`);
    expect(parseApiKey(formatApiKey('abcdef0123456789wxyz', secret, 'test'))).toEqual({ keyId: 'abcdef0123456789wxyz', secret, mode: 'test' });
    expect(parseApiKey(formatApiKey('testdef0123456789wxyz', secret))).toEqual({ keyId: 'testdef0123456789wxyz', secret, mode: 'live' });
  });

  it.each([
    ['no prefix', `abcdef0123456789wxyz_${secret}`],
    ['other prefix', `ttx_abcdef0123456789wxyz_${secret}`],
    ['upper-case key id', `ttk_ABCDEF0123456789WXYZ_${secret}`],
    ['short secret', 'ttk_abcdef0123456789wxyz_short'],
    ['padding', `ttk_abcdef0123456789wxyz_${secret}=`],
    ['whitespace', ` ttk_abcdef0123456789wxyz_${secret}`],
    ['too long', `ttk_abcdef0123456789wxyz_${'x'.repeat(200)}`],
    ['empty', ''],
  ])('refuses %s', (_label, text) => {
    expect(parseApiKey(text)).toBeUndefined();
  });
});
