import type { OrderView } from '@ttelgo/contracts';
import type { Owner } from '../domain/order';
import { decodeOrderCursor, encodeOrderCursor } from '../domain/order-cursor';
import type { OrderRepository } from '../infrastructure/order.repository';
import { toOrderView } from './order.view';

/** order.list-orders.v1: an owner's orders (all orders without an owner: admin), newest first, keyset pages. */
export class ListOrdersUseCase {
  constructor(private readonly repository: OrderRepository) {}

  async execute(req: { owner?: Owner; limit: number; cursor?: string }): Promise<{ data: OrderView[]; nextCursor: string | null }> {
    const after = req.cursor === undefined ? undefined : decodeOrderCursor(req.cursor);
    // One row more than asked tells whether another page exists without a count query.
    const rows = await this.repository.list(req.owner, req.limit + 1, after);
    const page = rows.slice(0, req.limit);
    const last = page[page.length - 1];
    return {
      data: page.map(toOrderView),
      nextCursor: rows.length > req.limit && last ? encodeOrderCursor({ createdAt: last.createdAt, id: last.id }) : null,
    };
  }
}
