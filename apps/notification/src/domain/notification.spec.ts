import { routeOrderNotice } from './notification';

describe('routeOrderNotice', () => {
  it('e-mails a customer with a contact address', () => {
    expect(routeOrderNotice({ type: 'customer', id: 'u1' }, ' a@b.example ')).toEqual({ channel: 'email', to: 'a@b.example' });
  });

  it('skips vendor orders even when they carry an address (vendor webhooks, issue 4)', () => {
    expect(routeOrderNotice({ type: 'vendor', id: 'v1' }, 'ops@reseller.example')).toEqual({ channel: null, skipReason: 'VENDOR_OWNED' });
  });

  it('skips a customer order without an address', () => {
    expect(routeOrderNotice({ type: 'customer', id: 'u1' }, null)).toEqual({ channel: null, skipReason: 'NO_CONTACT_EMAIL' });
    expect(routeOrderNotice({ type: 'customer', id: 'u1' }, '  ')).toEqual({ channel: null, skipReason: 'NO_CONTACT_EMAIL' });
  });
});
