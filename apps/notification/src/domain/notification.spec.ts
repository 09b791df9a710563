import { routeOrderNotice } from './notification';

describe('routeOrderNotice', () => {
  it('e-mails a customer with a contact address', () => {
    expect(routeOrderNotice({ type: 'customer', id: 'u1' }, ' a@b.example ', 'ORDER_COMPLETED')).toEqual({ channel: 'email', to: 'a@b.example' });
  });

  it('sends vendor orders to the vendor webhook, never by e-mail, even when they carry an address', () => {
    expect(routeOrderNotice({ type: 'vendor', id: 'v1' }, 'ops@reseller.example', 'ORDER_COMPLETED')).toEqual({ channel: 'webhook', to: 'v1' });
    expect(routeOrderNotice({ type: 'vendor', id: 'v1' }, null, 'ORDER_FAILED')).toEqual({ channel: 'webhook', to: 'v1' });
  });

  it('skips a vendor refund: no webhook event exists for it', () => {
    expect(routeOrderNotice({ type: 'vendor', id: 'v1' }, null, 'ORDER_REFUNDED')).toEqual({ channel: null, skipReason: 'VENDOR_OWNED' });
  });

  it('skips a customer order without an address', () => {
    expect(routeOrderNotice({ type: 'customer', id: 'u1' }, null, 'ORDER_FAILED')).toEqual({ channel: null, skipReason: 'NO_CONTACT_EMAIL' });
    expect(routeOrderNotice({ type: 'customer', id: 'u1' }, '  ', 'ORDER_REFUNDED')).toEqual({ channel: null, skipReason: 'NO_CONTACT_EMAIL' });
  });
});
