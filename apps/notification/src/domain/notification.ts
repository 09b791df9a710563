import type { Owner } from '@ttelgo/contracts';

/** The facts about an order we tell people about. */
export type NotificationKind = 'ORDER_COMPLETED' | 'ORDER_FAILED' | 'ORDER_REFUNDED';

/** The ways a notification leaves the platform. Issue 4 adds 'webhook' (signed callbacks to vendors). */
export type ChannelName = 'email';

export type SkipReason =
  /** B2B orders are reported to the vendor by webhook (issue 4), never by e-mail to an end customer. */
  | 'VENDOR_OWNED'
  /** A B2C order without a contact address: nobody to write to. */
  | 'NO_CONTACT_EMAIL';

export type NotificationRoute = { channel: 'email'; to: string } | { channel: null; skipReason: SkipReason };

/** Decides where a notice about an order goes. Vendor orders take the webhook route once it exists. */
export function routeOrderNotice(owner: Owner, contactEmail: string | null): NotificationRoute {
  if (owner.type === 'vendor') return { channel: null, skipReason: 'VENDOR_OWNED' };
  const to = contactEmail?.trim();
  if (!to) return { channel: null, skipReason: 'NO_CONTACT_EMAIL' };
  return { channel: 'email', to };
}
