import { gunzipSync } from 'node:zlib';
import { acceptsGzip, etagMatches, toCachedJson } from './cached-json';

describe('toCachedJson', () => {
  it('serialises once and derives a weak ETag from the bytes', () => {
    const a = toCachedJson({ data: [1, 2], nextCursor: null });
    expect(a.body.toString('utf8')).toBe('{"data":[1,2],"nextCursor":null}');
    expect(a.etag).toMatch(/^W\/"[A-Za-z0-9_-]{27}"$/);
    expect(toCachedJson({ data: [1, 2], nextCursor: null }).etag).toBe(a.etag);
    expect(toCachedJson({ data: [1, 3], nextCursor: null }).etag).not.toBe(a.etag);
  });
});

describe('etagMatches (weak comparison)', () => {
  const etag = 'W/"abc"';
  it.each([
    ['W/"abc"', true],
    ['"abc"', true],
    ['"x", W/"abc"', true],
    ['"x",W/"abc" ', true],
    ['*', true],
    ['W/"abcd"', false],
    ['abc', false],
    ['', false],
  ])('If-None-Match %j -> %s', (header, expected) => {
    expect(etagMatches(header, etag)).toBe(expected);
  });
  it('no header never matches', () => expect(etagMatches(undefined, etag)).toBe(false));
});

describe('gzip variant', () => {
  it('holds the same JSON, gzipped once', () => {
    const entry = toCachedJson({ data: Array.from({ length: 50 }, (_, i) => ({ name: `b${i}`, region: 'Europe' })), nextCursor: null });
    expect(gunzipSync(entry.gzip).equals(entry.body)).toBe(true);
    expect(entry.gzip.length).toBeLessThan(entry.body.length);
  });

  it('reads Accept-Encoding, honouring q=0', () => {
    expect(acceptsGzip('gzip, deflate, br')).toBe(true);
    expect(acceptsGzip('br;q=1.0, gzip;q=0.8')).toBe(true);
    expect(acceptsGzip('gzip;q=0')).toBe(false);
    expect(acceptsGzip('identity')).toBe(false);
    expect(acceptsGzip(undefined)).toBe(false);
    expect(acceptsGzip('*')).toBe(true);
  });
});
