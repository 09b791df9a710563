/**
 * Which IP addresses a vendor webhook may be sent to (SSRF, OWASP API7). Pure: takes the textual address that
 * DNS or the URL produced and says whether it is a public unicast address. Anything that reaches our own
 * network, the host itself or cloud metadata (169.254.169.254) is refused, including the IPv6 forms that
 * embed an IPv4 address (IPv4-mapped, IPv4-compatible, NAT64, 6to4), since the kernel or a gateway
 * would route those to the embedded IPv4 address.
 */
export type AddressVerdict = { allowed: true } | { allowed: false; reason: string };

interface Range4 {
  base: number;
  bits: number;
  reason: string;
}

const V4_BLOCKED: Range4[] = [
  r4('0.0.0.0', 8, 'unspecified ("this network")'),
  r4('10.0.0.0', 8, 'private'),
  r4('100.64.0.0', 10, 'carrier-grade NAT'),
  r4('127.0.0.0', 8, 'loopback'),
  r4('169.254.0.0', 16, 'link-local'),
  r4('172.16.0.0', 12, 'private'),
  r4('192.0.0.0', 24, 'IETF protocol assignments'),
  r4('192.0.2.0', 24, 'documentation'),
  r4('192.88.99.0', 24, '6to4 relay anycast'),
  r4('192.168.0.0', 16, 'private'),
  r4('198.18.0.0', 15, 'benchmarking'),
  r4('198.51.100.0', 24, 'documentation'),
  r4('203.0.113.0', 24, 'documentation'),
  r4('224.0.0.0', 4, 'multicast'),
  r4('240.0.0.0', 4, 'reserved / broadcast'),
];

function r4(base: string, bits: number, reason: string): Range4 {
  const parsed = parseIpv4(base);
  if (parsed === undefined) throw new Error(`bad range ${base}`);
  return { base: parsed, bits, reason };
}

/** Strict dotted quad (what DNS answers and WHATWG URL serialisation give us); undefined otherwise. */
export function parseIpv4(text: string): number | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return undefined;
    const n = Number(part);
    if (n > 255) return undefined;
    value = value * 256 + n;
  }
  return value;
}

/** 16 bytes of an IPv6 address (zone id dropped, embedded dotted quad accepted); undefined if not IPv6. */
export function parseIpv6(text: string): number[] | undefined {
  let s = text;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  if (!s.includes(':')) return undefined;
  // A trailing dotted quad ("::ffff:1.2.3.4") is rewritten as the two hex groups it stands for.
  const lastColon = s.lastIndexOf(':');
  const last = s.slice(lastColon + 1);
  if (last.includes('.')) {
    const v4 = parseIpv4(last);
    if (v4 === undefined) return undefined;
    s = `${s.slice(0, lastColon + 1)}${(v4 >>> 16).toString(16)}:${(v4 & 0xffff).toString(16)}`;
  }
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const parseGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    for (const g of part.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      const n = parseInt(g, 16);
      out.push((n >> 8) & 0xff, n & 0xff);
    }
    return out;
  };
  const head = parseGroups(halves[0] ?? '');
  const rest = halves.length === 2 ? parseGroups(halves[1] ?? '') : [];
  if (!head || !rest) return undefined;
  const known = head.length + rest.length;
  if (halves.length === 1) return known === 16 ? head : undefined;
  if (known > 14) return undefined;
  return [...head, ...new Array<number>(16 - known).fill(0), ...rest];
}

function v4Verdict(value: number): AddressVerdict {
  for (const range of V4_BLOCKED) {
    const mask = range.bits === 0 ? 0 : (0xffffffff << (32 - range.bits)) >>> 0;
    if (((value & mask) >>> 0) === ((range.base & mask) >>> 0)) return { allowed: false, reason: range.reason };
  }
  return { allowed: true };
}

function embeddedV4(bytes: number[], offset: number): number {
  return (((bytes[offset] ?? 0) << 24) >>> 0) + ((bytes[offset + 1] ?? 0) << 16) + ((bytes[offset + 2] ?? 0) << 8) + (bytes[offset + 3] ?? 0);
}

function startsWith(bytes: number[], prefix: number[]): boolean {
  return prefix.every((b, i) => bytes[i] === b);
}

function v6Verdict(b: number[]): AddressVerdict {
  const first10zero = b.slice(0, 10).every((x) => x === 0);
  if (b.every((x) => x === 0)) return { allowed: false, reason: 'unspecified (::)' };
  if (b.slice(0, 15).every((x) => x === 0) && b[15] === 1) return { allowed: false, reason: 'loopback (::1)' };
  // ::ffff:a.b.c.d (IPv4-mapped) and ::a.b.c.d (IPv4-compatible, deprecated): judged as the IPv4 address.
  if (first10zero && b[10] === 0xff && b[11] === 0xff) return prefixed('IPv4-mapped', v4Verdict(embeddedV4(b, 12)));
  if (first10zero && b[10] === 0 && b[11] === 0) return prefixed('IPv4-compatible', v4Verdict(embeddedV4(b, 12)));
  // ::ffff:0:a.b.c.d (SIIT IPv4-translated).
  if (b.slice(0, 8).every((x) => x === 0) && b[8] === 0xff && b[9] === 0xff && b[10] === 0 && b[11] === 0) {
    return prefixed('IPv4-translated', v4Verdict(embeddedV4(b, 12)));
  }
  // 64:ff9b::/96 NAT64 well-known prefix and 64:ff9b:1::/48 local-use NAT64.
  if (startsWith(b, [0x00, 0x64, 0xff, 0x9b]) && b.slice(4, 12).every((x) => x === 0)) return prefixed('NAT64', v4Verdict(embeddedV4(b, 12)));
  if (startsWith(b, [0x00, 0x64, 0xff, 0x9b, 0x00, 0x01])) return { allowed: false, reason: 'local-use NAT64' };
  // 2002::/16 6to4 carries the IPv4 address in bytes 2..5.
  if (b[0] === 0x20 && b[1] === 0x02) return prefixed('6to4', v4Verdict(embeddedV4(b, 2)));
  const top = b[0] ?? 0;
  const second = b[1] ?? 0;
  if ((top & 0xfe) === 0xfc) return { allowed: false, reason: 'unique local (fc00::/7)' };
  if (top === 0xfe && (second & 0xc0) === 0x80) return { allowed: false, reason: 'link-local (fe80::/10)' };
  if (top === 0xfe && (second & 0xc0) === 0xc0) return { allowed: false, reason: 'site-local (fec0::/10)' };
  if (top === 0xff) return { allowed: false, reason: 'multicast' };
  if (startsWith(b, [0x20, 0x01, 0x0d, 0xb8])) return { allowed: false, reason: 'documentation' };
  if (startsWith(b, [0x01, 0x00, 0, 0, 0, 0, 0, 0])) return { allowed: false, reason: 'discard-only' };
  // 2001::/32 Teredo: the client address is obfuscated inside; nothing legitimate hosts a webhook there.
  if (startsWith(b, [0x20, 0x01, 0x00, 0x00])) return { allowed: false, reason: 'Teredo' };
  return { allowed: true };
}

function prefixed(form: string, verdict: AddressVerdict): AddressVerdict {
  return verdict.allowed ? verdict : { allowed: false, reason: `${form} ${verdict.reason}` };
}

/** Whether an address (IPv4 dotted quad or IPv6, brackets allowed) is public unicast. Unparseable: refused. */
export function checkAddress(address: string): AddressVerdict {
  const text = address.startsWith('[') && address.endsWith(']') ? address.slice(1, -1) : address;
  const v4 = parseIpv4(text);
  if (v4 !== undefined) return v4Verdict(v4);
  const v6 = parseIpv6(text);
  if (v6 !== undefined) return v6Verdict(v6);
  return { allowed: false, reason: 'not an IP address' };
}

/** True for an IPv4 or IPv6 literal (as a URL hostname gives it, brackets allowed). */
export function isIpLiteral(host: string): boolean {
  const text = host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host;
  return parseIpv4(text) !== undefined || parseIpv6(text) !== undefined;
}
