import { routeOrderNotice } from './notification';

describe('routeOrderNotice', () => {
  it('e-mails a customer with a contact address', () => {
    expect(routeOrderNotice({ type: 'customer', id: 'u1' }, ' a@b.example ')).toEqual({ channel: 'email', to: 'a@b.example' });
  });

  it('sends vendor orders to the vendor webhook, never by e-mail, even when they carry an address', () => {
    expect(routeOrderNotice({ type: 'vendor', id: 'v1' }, 'ops@reseller.example')).toEqual({ channel: 'webhook', to: 'v1' });
    expect(routeOrderNotice({ type: 'vendor', id: 'v1' }, null)).toEqual({ channel: 'webhook', to: 'v1' });
  });

  it('skips a customer order without an address', () => {
    expect(routeOrderNotice({ type: 'customer', id: 'u1' }, null)).toEqual({ channel: null, skipReason: 'NO_CONTACT_EMAIL' });
    expect(routeOrderNotice({ type: 'customer', id: 'u1' }, '  ')).toEqual({ channel: null, skipReason: 'NO_CONTACT_EMAIL' });
  });
});
