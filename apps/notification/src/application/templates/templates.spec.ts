import { renderOrderCompleted } from './order-completed.template';
import { renderOrderFailed } from './order-failed.template';
import { renderOrderRefunded } from './order-refunded.template';

const ctx = { appUrl: 'https://app.ttelgo.test/' };
const orderId = '5c3b45e1-6b59-4463-9524-ab65c5f893b0';
const lpa = 'LPA:1$rsp.example$MATCH<&>"1"';
const esim = {
  iccid: '8944000000000000011',
  smdpAddress: 'rsp.example',
  matchingId: 'MATCH<&>"1"',
  lpa,
  appleInstallUrl: `https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=${encodeURIComponent(lpa)}`,
  expiresAt: '2027-01-02T03:04:05.000Z',
  qrContentId: 'qr-1@ttelgo',
};

describe('order completed mail', () => {
  const mail = renderOrderCompleted({ orderId, bundleName: '<script>alert(1)</script>', quantity: 1, total: { amount: 1299, currency: 'USD' }, esims: [esim] }, ctx);

  it('escapes every interpolated value in the HTML and keeps the text verbatim', () => {
    expect(mail.html).not.toContain('<script>');
    expect(mail.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('LPA:1$rsp.example$MATCH&lt;&amp;&gt;&quot;1&quot;');
    expect(mail.text).toContain(`LPA activation code: ${lpa}`);
  });

  it('shows the QR inline by cid, the Apple link, both install guides and the order link', () => {
    expect(mail.subject).toBe('Your eSIM is ready (order 5C3B45E1)');
    expect(mail.html).toContain('src="cid:qr-1@ttelgo"');
    expect(mail.html).toContain('href="https://esimsetup.apple.com/esim_qrcode_provisioning?carddata=');
    expect(mail.html).toContain('Install on an iPhone');
    expect(mail.html).toContain('Install on Android');
    expect(mail.html).toContain(`href="https://app.ttelgo.test/orders/${orderId}"`);
    expect(mail.text).toContain('Install before: Sat, 02 Jan 2027 03:04:05 UTC');
  });

  it('never renders a javascript: link', () => {
    const evil = renderOrderCompleted({ orderId, bundleName: 'b', quantity: 1, total: { amount: 1, currency: 'USD' }, esims: [{ ...esim, appleInstallUrl: 'javascript:alert(1)' }] }, ctx);
    expect(evil.html).not.toContain('javascript:');
  });
});

describe('order failed mail', () => {
  it('says what happened and that the card refund is under way, without the internal reason', () => {
    const mail = renderOrderFailed({ orderId, bundleName: 'esim_1GB_7D_FR_V2', quantity: 1, total: { amount: 1299, currency: 'JPY' } }, ctx);
    expect(mail.subject).toBe('We could not complete your order 5C3B45E1');
    expect(mail.text).toContain('could not issue the eSIM for your order of 1 x esim_1GB_7D_FR_V2');
    expect(mail.text).toContain('A refund of ¥1,299 to the card you paid with is under way');
  });
});

describe('order refunded mail', () => {
  it('formats the amount from minor units in its currency', () => {
    const usd = renderOrderRefunded({ orderId, bundleName: 'b', quantity: 2, total: { amount: 1299, currency: 'USD' } }, ctx);
    expect(usd.subject).toBe('Your refund of $12.99 is on its way (order 5C3B45E1)');
    expect(usd.html).toContain('We have refunded $12.99');
    const jpy = renderOrderRefunded({ orderId, bundleName: 'b', quantity: 1, total: { amount: 1299, currency: 'JPY' } }, ctx);
    expect(jpy.text).toContain('We have refunded ¥1,299');
  });
});
