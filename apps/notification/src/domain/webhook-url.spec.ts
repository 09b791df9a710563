import { parseWebhookUrl, WebhookUrlNotAllowedError } from './webhook-url';

describe('parseWebhookUrl', () => {
  it.each(['ftp://x', 'file:///etc/passwd', 'http://user:pw@example.com', 'http://user@example.com', 'not a url', 'http://127.0.0.1/hook', 'http://[::1]:8080', 'http://0x7f.1/', 'http://2130706433/', 'http://[::ffff:127.0.0.1]/'])(
    'refuses %s',
    (url) => {
      expect(() => parseWebhookUrl(url, { allowPrivate: false })).toThrow(WebhookUrlNotAllowedError);
    },
  );

  it('accepts public http(s) URLs and leaves names to the resolver', () => {
    expect(parseWebhookUrl('https://hooks.example.com/ttelgo', { allowPrivate: false })).toMatchObject({ host: 'hooks.example.com', literal: false });
    expect(parseWebhookUrl('http://93.184.216.34:8080/x', { allowPrivate: false })).toMatchObject({ host: '93.184.216.34', literal: true });
  });

  it('with the development allowance accepts private literals but still not other schemes or credentials', () => {
    expect(parseWebhookUrl('http://127.0.0.1:3000/hook', { allowPrivate: true }).host).toBe('127.0.0.1');
    expect(() => parseWebhookUrl('ftp://x', { allowPrivate: true })).toThrow(WebhookUrlNotAllowedError);
    expect(() => parseWebhookUrl('http://a:b@127.0.0.1/', { allowPrivate: true })).toThrow(WebhookUrlNotAllowedError);
  });

  it('carries the RPC error code and status', () => {
    try {
      parseWebhookUrl('ftp://x', { allowPrivate: false });
      throw new Error('not refused');
    } catch (err) {
      expect(err).toMatchObject({ code: 'WEBHOOK_URL_NOT_ALLOWED', status: 400 });
    }
  });
});
