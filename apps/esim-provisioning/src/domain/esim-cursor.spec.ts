import { decodeEsimCursor, encodeEsimCursor } from './esim-cursor';
import { EsimError } from './esim.errors';

describe('eSIM list cursor', () => {
  it('round-trips the position', () => {
    const position = { createdAt: new Date('2026-11-28T10:00:00.123Z'), iccid: '8944530000000000001' };
    expect(decodeEsimCursor(encodeEsimCursor(position))).toEqual(position);
  });

  it.each([
    ['not base64url', '***'],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['wrong fields', Buffer.from(JSON.stringify({ after: 'x' })).toString('base64url')],
    ['iccid not digits', Buffer.from(JSON.stringify({ t: 1, i: "1' OR 1=1" })).toString('base64url')],
    ['negative time', Buffer.from(JSON.stringify({ t: -5, i: '1' })).toString('base64url')],
  ])('refuses a cursor that is %s with INVALID_CURSOR', (_why, cursor) => {
    let error: unknown;
    try {
      decodeEsimCursor(cursor);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(EsimError);
    expect(error).toMatchObject({ code: 'INVALID_CURSOR', status: 400 });
  });
});
