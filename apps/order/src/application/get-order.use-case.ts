import type { OrderView } from '@ttelgo/contracts';
import type { Owner } from '../domain/order';
import { orderNotFound } from '../domain/order.errors';
import type { OrderRepository } from '../infrastructure/order.repository';
import { toOrderView } from './order.view';

/** order.get-order.v1: another owner's order is ORDER_NOT_FOUND, exactly like a missing one. */
export class GetOrderUseCase {
  constructor(private readonly repository: OrderRepository) {}

  async execute(req: { owner: Owner; orderId: string }): Promise<OrderView> {
    const order = await this.repository.findById(req.orderId, req.owner);
    if (!order) throw orderNotFound(req.orderId);
    return toOrderView(order);
  }
}
