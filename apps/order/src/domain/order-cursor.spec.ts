import { decodeOrderCursor, encodeOrderCursor } from './order-cursor';

describe('order cursors', () => {
  it('round-trips (createdAt, id)', () => {
    const cursor = { createdAt: new Date('2026-11-28T10:00:00.123Z'), id: '6f1c1f9e-5d0b-4a43-9d52-0a4a1c1d2e3f' };
    expect(decodeOrderCursor(encodeOrderCursor(cursor))).toEqual(cursor);
  });

  it.each(['not-base64!', Buffer.from('{}').toString('base64url'), Buffer.from('["yesterday","x"]').toString('base64url')])(
    'refuses %s with INVALID_CURSOR',
    (text) => {
      expect(() => decodeOrderCursor(text)).toThrow(expect.objectContaining({ code: 'INVALID_CURSOR', status: 400 }));
    },
  );
});
