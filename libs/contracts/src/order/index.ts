export * from './order-view';
export * from './place-order.v1';
export * from './get-order.v1';
export * from './list-orders.v1';
export * from './order-completed.v1';
export * from './order-closed.v1';
export * from './refund-order.v1';
export * from './quotes.v1';
