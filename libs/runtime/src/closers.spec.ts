import pino from 'pino';
import { createClosers } from './closers';

describe('createClosers', () => {
  it('closes in reverse order, survives a throwing closer, and closes each only once', async () => {
    const order: string[] = [];
    const closers = createClosers(pino({ level: 'silent' }), 'test');
    closers.add('a', () => void order.push('a'));
    closers.add('b', () => {
      order.push('b');
      throw new Error('boom');
    });
    closers.add('c', async () => void order.push('c'));
    await closers.closeAll();
    await closers.closeAll();
    expect(order).toEqual(['c', 'b', 'a']);
  });
});
