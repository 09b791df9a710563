import { clientRateLimitKey } from './client-address';

describe('clientRateLimitKey', () => {
  it('keys IPv4 by address and IPv4-mapped IPv6 as IPv4', () => {
    expect(clientRateLimitKey('203.0.113.7')).toBe('203.0.113.7');
    expect(clientRateLimitKey('::ffff:203.0.113.7')).toBe('203.0.113.7');
  });

  it('keys every address of one IPv6 /64 alike, and another /64 apart', () => {
    const a = clientRateLimitKey('2001:db8:1:2:aaaa:bbbb:cccc:dddd');
    expect(clientRateLimitKey('2001:0db8:0001:0002::1')).toBe(a);
    expect(clientRateLimitKey('2001:db8:1:2::ffff')).toBe(a);
    expect(a).toBe('2001:db8:1:2::/64');
    expect(clientRateLimitKey('2001:db8:1:3::1')).not.toBe(a);
    expect(clientRateLimitKey('::1')).toBe('0:0:0:0::/64');
    expect(clientRateLimitKey('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('keeps anything else as it is', () => {
    expect(clientRateLimitKey(undefined)).toBe('unknown');
    expect(clientRateLimitKey('not-an-ip')).toBe('not-an-ip');
  });
});
