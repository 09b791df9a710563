import { etagMatches, toCachedJson } from './cached-json';

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
