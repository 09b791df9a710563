export * from './create-payment-intent.v1';
export * from './handle-stripe-event.v1';
export * from './payment-events.v1';
export * from './payment-commands.v1';
