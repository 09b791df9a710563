/**
 * Vendor API keys: `ttk_<keyId>_<secret>` (live) or `ttk_test_<keyId>_<secret>` (sandbox). The keyId is lower-case alphanumeric (never `_`), so the key splits
 * unambiguously even though the base64url secret may contain `_` and `-`. Pure functions: the randomness and the
 * hashing are passed in by the infrastructure.
 */
export const API_KEY_PREFIX = 'ttk_';
/** keyId: 20 characters of [a-z0-9] (~103 bits): unguessable, so a key id alone reveals nothing usable. */
export const KEY_ID_PATTERN = /^[a-z0-9]{16,40}$/;
/** Secret: base64url of >= 32 random bytes (43+ characters). */
const API_KEY_PATTERN = /^ttk_(test_)?([a-z0-9]{16,40})_([A-Za-z0-9_-]{43,128})$/;
/** Anything longer is refused before any lookup or hashing. */
export const MAX_API_KEY_LENGTH = API_KEY_PREFIX.length + 'test_'.length + 40 + 1 + 128;

/** live: the real platform; test: the sandbox (simulated providers, a test wallet, data apart from live data). */
export type ApiKeyMode = 'live' | 'test';

export interface ParsedApiKey {
  keyId: string;
  secret: string;
  mode: ApiKeyMode;
}

export function formatApiKey(keyId: string, secret: string, mode: ApiKeyMode = 'live'): string {
  return `${API_KEY_PREFIX}${mode === 'test' ? 'test_' : ''}${keyId}_${secret}`;
}

/** undefined when the text cannot be one of our keys (wrong prefix, alphabet or length). */
export function parseApiKey(text: string): ParsedApiKey | undefined {
  if (text.length > MAX_API_KEY_LENGTH) return undefined;
  const match = API_KEY_PATTERN.exec(text);
  if (!match) return undefined;
  return { keyId: match[2]!, secret: match[3]!, mode: match[1] ? 'test' : 'live' };
}
