/**
 * Account recovery end to end: gateway -> notification -> SMTP catcher. The reset link arrives by mail, works once,
 * ends every session of the account, and a second mail tells the owner; an unknown e-mail gets the same 202.
 */
import { randomUUID } from 'node:crypto';
import { waitFor } from '@ttelgo/testing';
import { apiClient } from './support/api';
import { startTestPlatform, type TestPlatform } from './support/platform';

let platform: TestPlatform;
let api: ReturnType<typeof apiClient>;

beforeAll(async () => {
  platform = await startTestPlatform();
  api = apiClient(platform.api);
}, 120_000);
afterAll(() => platform?.stop());

const mailsTo = (email: string) => platform.mail.store.list().filter((m) => m.to.some((to) => to.includes(email)));

describe('password reset', () => {
  it('mails a single-use link that sets the password, ends every session and is confirmed by a second mail', async () => {
    const email = `reset-${randomUUID()}@example.com`;
    const oldPassword = 'the old password, long enough';
    const first = await api.register(email, oldPassword);
    const second = (await api.post<{ accessToken: string; refreshToken: string }>('/api/v1/auth/login', { email, password: oldPassword })).body;

    const asked = await api.post('/api/v1/auth/password-reset', { email: email.toUpperCase() });
    const unknown = await api.post('/api/v1/auth/password-reset', { email: `nobody-${randomUUID()}@example.com` });
    expect([asked.status, unknown.status]).toEqual([202, 202]);
    expect(unknown.body).toEqual(asked.body);

    const mail = await waitFor(() => mailsTo(email).find((m) => m.subject.includes('Reset')), { timeoutMs: 20_000, message: 'reset mail in the catcher' });
    const token = /[?&]token=([A-Za-z0-9_%-]+)/.exec(mail.text ?? '')?.[1];
    expect(token).toEqual(expect.stringMatching(/^prt_/));

    const newPassword = 'a brand new password, longer';
    expect((await api.post('/api/v1/auth/password-reset/confirm', { token: decodeURIComponent(token!), newPassword })).status).toBe(204);

    // Every session ended: both access tokens and both refresh tokens.
    for (const session of [first, second]) {
      expect((await api.get('/api/v1/me', session.accessToken)).status).toBe(401);
      expect((await api.post('/api/v1/auth/refresh', { refreshToken: session.refreshToken })).status).toBe(401);
    }
    expect((await api.post('/api/v1/auth/login', { email, password: oldPassword })).status).toBe(401);
    expect((await api.post('/api/v1/auth/login', { email, password: newPassword })).status).toBe(200);

    // Single use.
    const again = await api.post<{ code: string }>('/api/v1/auth/password-reset/confirm', { token: decodeURIComponent(token!), newPassword: 'yet another password here' });
    expect(again.status).toBe(400);
    expect(again.body.code).toBe('RESET_TOKEN_INVALID');

    const notice = await waitFor(() => mailsTo(email).find((m) => m.subject.includes('changed')), { timeoutMs: 20_000, message: 'password changed mail' });
    expect(notice.text ?? '').toContain('signed out');
    expect(notice.text).not.toContain('prt_');
  });
});
