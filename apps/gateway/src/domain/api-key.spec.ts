import { formatApiKey, parseApiKey } from './api-key';

describe('API key format', () => {
  const secret = 'A_b-c'.padEnd(43, 'x');

  it('round-trips, even when the secret contains _ and -', () => {
    expect(parseApiKey(formatApiKey('abcdef0123456789wxyz', secret))).toEqual({ keyId: 'abcdef0123456789wxyz', secret });
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
