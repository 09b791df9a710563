/**
 * Reading Stripe form parameters. Bodies arrive bracket-parsed by qs (`metadata[orderId]=1` ->
 * `{ metadata: { orderId: '1' } }`, `expand[0]=x` / `expand[]=x` -> `['x']`), so every leaf is a string; these
 * helpers check and convert them with Stripe's error codes and messages.
 */
import { StripeApiError, parameterInvalid, parameterMissing, parameterUnknown } from './stripe-error';

export type Params = Record<string, unknown>;

export function asParams(raw: unknown): Params {
  return raw && typeof raw === 'object' && !Array.isArray(raw) ? (raw as Params) : {};
}

/** Stripe rejects parameters it does not know; `ignored` are real Stripe parameters the simulator accepts without modelling. */
export function rejectUnknown(p: Params, known: readonly string[], ignored: readonly string[] = []): void {
  for (const key of Object.keys(p)) {
    if (!known.includes(key) && !ignored.includes(key)) throw parameterUnknown(key);
  }
}

export function optString(p: Params, name: string, opts: { max?: number; allowEmpty?: boolean } = {}): string | undefined {
  const v = p[name];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw parameterInvalid(name, `Invalid string: ${JSON.stringify(v)}`);
  if (v === '' && !opts.allowEmpty) return undefined;
  if (opts.max !== undefined && v.length > opts.max) {
    throw parameterInvalid(name, `Invalid string: ${v.slice(0, 20)}...; must be at most ${opts.max} characters`);
  }
  return v;
}

export function reqString(p: Params, name: string): string {
  const v = optString(p, name);
  if (v === undefined) throw parameterMissing(name);
  return v;
}

export function optInt(p: Params, name: string): number | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  const s = typeof v === 'string' ? v.trim() : typeof v === 'number' ? String(v) : undefined;
  if (s === undefined || !/^-?\d+$/.test(s) || !Number.isSafeInteger(Number(s))) {
    throw parameterInvalid(name, `Invalid integer: ${typeof v === 'string' ? v : JSON.stringify(v)}`, 'parameter_invalid_integer');
  }
  return Number(s);
}

export function reqInt(p: Params, name: string): number {
  const v = optInt(p, name);
  if (v === undefined) throw parameterMissing(name);
  return v;
}

export function optBool(p: Params, name: string): boolean | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  if (v === 'true' || v === true) return true;
  if (v === 'false' || v === false) return false;
  throw parameterInvalid(name, `Invalid boolean: ${String(v)}`, 'parameter_invalid_boolean');
}

export function optEnum<T extends string>(p: Params, name: string, values: readonly T[]): T | undefined {
  const v = optString(p, name);
  if (v === undefined) return undefined;
  if (!(values as readonly string[]).includes(v)) {
    throw parameterInvalid(name, `Invalid ${name}: must be one of ${values.join(', ')}`, 'parameter_invalid_string');
  }
  return v as T;
}

export function optCurrency(p: Params, name = 'currency'): string | undefined {
  const v = optString(p, name);
  if (v === undefined) return undefined;
  if (!/^[a-zA-Z]{3}$/.test(v)) throw parameterInvalid(name, `Invalid currency: ${v.toLowerCase()}. Stripe currently supports these currencies: usd, eur, gbp, ...`);
  return v.toLowerCase();
}

export function optObject(p: Params, name: string): Params | undefined {
  const v = p[name];
  if (v === undefined || v === '') return undefined;
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw parameterInvalid(name, `Invalid object`, 'parameter_invalid_object' as string);
  return v as Params;
}

/**
 * Metadata as Stripe treats it: up to 50 keys, keys up to 40 characters, values up to 500. On update an empty
 * value unsets a key and `metadata=` (empty) unsets them all.
 */
export function applyMetadata(current: Record<string, string>, p: Params, name = 'metadata'): Record<string, string> {
  const v = p[name];
  if (v === undefined) return current;
  if (v === '') return {};
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw parameterInvalid(name, 'Invalid object', 'parameter_invalid_object');
  const next = { ...current };
  for (const [key, value] of Object.entries(v as Params)) {
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw parameterInvalid(`${name}[${key}]`, `Invalid value for metadata key ${key}: metadata values must be strings`);
    }
    if (key.length > 40) throw parameterInvalid(`${name}[${key}]`, `Metadata keys can have up to 40 characters; '${key}' has ${key.length}`);
    const s = String(value);
    if (s.length > 500) throw parameterInvalid(`${name}[${key}]`, `Metadata values can have up to 500 characters, but the value for '${key}' has ${s.length}`);
    if (s === '') delete next[key];
    else next[key] = s;
  }
  if (Object.keys(next).length > 50) throw parameterInvalid(name, 'You can have at most 50 metadata keys');
  return next;
}

export function expandList(p: Params): string[] {
  const v = p.expand;
  if (v === undefined || v === '') return [];
  const list = Array.isArray(v) ? v : typeof v === 'object' && v !== null ? Object.values(v) : [v];
  return list.map((x) => {
    if (typeof x !== 'string') throw parameterInvalid('expand', 'Invalid array');
    return x;
  });
}

export interface ListParams {
  limit: number;
  startingAfter?: string;
  endingBefore?: string;
}

export function listParams(p: Params): ListParams {
  const limit = optInt(p, 'limit') ?? 10;
  if (limit < 1 || limit > 100) {
    throw new StripeApiError(
      400,
      { type: 'invalid_request_error', code: 'parameter_invalid_integer', param: 'limit', message: 'This value must be greater than or equal to 1 and less than or equal to 100.' },
      { validation: true },
    );
  }
  const startingAfter = optString(p, 'starting_after');
  const endingBefore = optString(p, 'ending_before');
  if (startingAfter && endingBefore) {
    throw parameterInvalid('ending_before', 'You may only specify one of these parameters: ending_before, starting_after.');
  }
  return { limit, ...(startingAfter ? { startingAfter } : {}), ...(endingBefore ? { endingBefore } : {}) };
}
