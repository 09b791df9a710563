import type { Owner } from '@ttelgo/contracts';

/** The facts we tell people about: about an order, and about a bundle on one of their eSIMs. */
export type NotificationKind = 'ORDER_COMPLETED' | 'ORDER_FAILED' | 'ORDER_REFUNDED' | 'ORDER_CANCELLED' | EsimNotificationKind | AccountNotificationKind;
export type AccountNotificationKind = 'ACCOUNT_PASSWORD_RESET' | 'ACCOUNT_PASSWORD_CHANGED';
export type EsimNotificationKind = 'ESIM_USAGE_THRESHOLD' | 'ESIM_EXPIRING' | 'ESIM_EXPIRED';

/** The ways a notification leaves the platform: e-mail to customers, signed webhooks to vendors. */
export type ChannelName = 'email' | 'webhook';

/**
 * Why a notification was recorded but not sent. Rows written before vendor refunds existed may still carry
 * 'VENDOR_OWNED' (a vendor fact with no webhook event); every vendor fact has one now, so nothing writes it.
 */
export type SkipReason =
  /** A vendor order, but the vendor has not set a webhook endpoint. */
  | 'NO_ENDPOINT'
  /** A B2C order without a contact address: nobody to write to. */
  | 'NO_CONTACT_EMAIL';

/** `to` is the e-mail address, or the vendor id for webhooks (the channel looks its endpoint up). */
export type NotificationRoute = { channel: ChannelName; to: string } | { channel: null; skipReason: SkipReason };

/**
 * Decides where a notice about an order goes. B2B orders are told to the vendor by webhook (every kind has a
 * webhook event: completed, failed, refunded), never by e-mail to an end customer, even when the order carries
 * an address.
 */
export function routeOrderNotice(owner: Owner, contactEmail: string | null): NotificationRoute {
  if (owner.type === 'vendor') return { channel: 'webhook', to: owner.id };
  const to = contactEmail?.trim();
  if (!to) return { channel: null, skipReason: 'NO_CONTACT_EMAIL' };
  return { channel: 'email', to };
}
