import type { Owner } from '@ttelgo/contracts';

/** The facts about an order we tell people about. */
export type NotificationKind = 'ORDER_COMPLETED' | 'ORDER_FAILED' | 'ORDER_REFUNDED';

/** The ways a notification leaves the platform: e-mail to customers, signed webhooks to vendors. */
export type ChannelName = 'email' | 'webhook';

export type SkipReason =
  /** A vendor fact no webhook event exists for (order.refunded: B2B orders are never card-refunded). */
  | 'VENDOR_OWNED'
  /** A vendor order, but the vendor has not set a webhook endpoint. */
  | 'NO_ENDPOINT'
  /** A B2C order without a contact address: nobody to write to. */
  | 'NO_CONTACT_EMAIL';

/** `to` is the e-mail address, or the vendor id for webhooks (the channel looks its endpoint up). */
export type NotificationRoute = { channel: ChannelName; to: string } | { channel: null; skipReason: SkipReason };

/**
 * Decides where a notice about an order goes. B2B orders are told to the vendor by webhook, never by e-mail to
 * an end customer, even when the order carries an address.
 */
export function routeOrderNotice(owner: Owner, contactEmail: string | null, kind: NotificationKind): NotificationRoute {
  if (owner.type === 'vendor') {
    if (kind === 'ORDER_REFUNDED') return { channel: null, skipReason: 'VENDOR_OWNED' };
    return { channel: 'webhook', to: owner.id };
  }
  const to = contactEmail?.trim();
  if (!to) return { channel: null, skipReason: 'NO_CONTACT_EMAIL' };
  return { channel: 'email', to };
}
