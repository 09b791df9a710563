/**
 * Stripe's webhook signature scheme (stripe-node src/Webhooks.ts): header `t=<unix seconds>,v1=<hex>` where
 * v1 = HMAC-SHA256(secret, `${t}.${payload}`). Receivers verify it with `stripe.webhooks.constructEvent`.
 */
import { createHmac } from 'node:crypto';

export function computeSignature(payload: string, secret: string, timestamp: number): string {
  return createHmac('sha256', secret).update(`${timestamp}.${payload}`, 'utf8').digest('hex');
}

export function signatureHeader(payload: string, secret: string, timestamp: number): string {
  return `t=${timestamp},v1=${computeSignature(payload, secret, timestamp)}`;
}
