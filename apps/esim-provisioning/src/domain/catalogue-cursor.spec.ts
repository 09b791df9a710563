import { decodeCursor, encodeCursor } from './catalogue-cursor';
import { CatalogueError } from './catalogue.errors';

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CatalogueError ? `${err.code} ${err.status}` : `unexpected ${(err as Error).name}`;
  }
  return undefined;
}

describe('catalogue cursor', () => {
  it('round-trips the last name for the same filters, in a URL-safe alphabet', () => {
    const cursor = encodeCursor('esim_1GB_7D_FR_V2', { country: 'FR' });
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, { country: 'FR' })).toBe('esim_1GB_7D_FR_V2');
  });

  it('treats filters case-insensitively and ignores unset ones', () => {
    const cursor = encodeCursor('b', { country: 'fr', region: 'Europe' });
    expect(decodeCursor(cursor, { country: 'FR', region: 'europe', })).toBe('b');
    expect(decodeCursor(encodeCursor('b', {}), { country: undefined, region: '' })).toBe('b');
  });

  it('refuses a cursor used with other filters', () => {
    const cursor = encodeCursor('esim_1GB_7D_FR_V2', { country: 'FR' });
    expect(codeOf(() => decodeCursor(cursor, { country: 'DE' }))).toBe('INVALID_CURSOR 400');
    expect(codeOf(() => decodeCursor(cursor, {}))).toBe('INVALID_CURSOR 400');
    expect(codeOf(() => decodeCursor(cursor, { country: 'FR', region: 'Europe' }))).toBe('INVALID_CURSOR 400');
  });

  it.each([
    ['not base64 at all!'],
    ['abc'], // decodes to bytes that are not JSON
    [Buffer.from('[1,2]').toString('base64url')],
    [Buffer.from('{"after":"","f":"x"}').toString('base64url')],
    [Buffer.from('{"after":5,"f":"x"}').toString('base64url')],
    [Buffer.from('{"after":"a"}').toString('base64url')],
    [Buffer.from('null').toString('base64url')],
    ['a'.repeat(513)],
  ])('refuses the malformed cursor %p', (cursor) => {
    expect(codeOf(() => decodeCursor(cursor, {}))).toBe('INVALID_CURSOR 400');
  });
});
