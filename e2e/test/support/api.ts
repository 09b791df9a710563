/** A tiny client of the public API, the way a traveller's app would call it. */
export interface ApiResponse<T = unknown> {
  status: number;
  body: T;
  headers: Headers;
}

export function apiClient(base: string) {
  async function call<T = any>(method: string, path: string, opts: { token?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<ApiResponse<T>> { // eslint-disable-line @typescript-eslint/no-explicit-any
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.token) headers.authorization = `Bearer ${opts.token}`;
    if (opts.body !== undefined) headers['content-type'] = 'application/json';
    const res = await fetch(`${base}${path}`, { method, headers, ...(opts.body !== undefined ? { body: JSON.stringify(opts.body) } : {}) });
    const type = res.headers.get('content-type') ?? '';
    const body = type.includes('json') ? await res.json() : type.startsWith('image/') ? Buffer.from(await res.arrayBuffer()) : await res.text();
    return { status: res.status, body: body as T, headers: res.headers };
  }
  return {
    call,
    get: <T = any>(path: string, token?: string) => call<T>('GET', path, token ? { token } : {}), // eslint-disable-line @typescript-eslint/no-explicit-any
    post: <T = any>(path: string, body: unknown, token?: string, headers?: Record<string, string>) => call<T>('POST', path, { body, ...(token ? { token } : {}), ...(headers ? { headers } : {}) }), // eslint-disable-line @typescript-eslint/no-explicit-any
    async register(email: string, password = 'correct horse battery staple'): Promise<{ accessToken: string; refreshToken: string; user: { id: string } }> {
      const res = await call<{ accessToken: string; refreshToken: string; user: { id: string } }>('POST', '/api/v1/auth/register', { body: { email, password, name: 'E2E Traveller' } });
      if (res.status !== 201) throw new Error(`register answered ${res.status}: ${JSON.stringify(res.body)}`);
      return res.body;
    },
  };
}
