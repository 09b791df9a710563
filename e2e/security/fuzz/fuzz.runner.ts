/**
 * Schema-driven fuzzing of the public API: every operation of the OpenAPI document, with inputs from its own JSON
 * Schemas (openapi-arbitraries.ts: valid, and hostile every other round), as each actor in turn (anonymous, two
 * travellers, a vendor, the admin), with path ids taken at times from other actors' resources. Every answer is
 * checked: no 5xx; every 4xx is problem+json with a `code`; no answer to one actor carries another's data (a
 * marker of theirs that this request did not itself send).
 */
import fc from 'fast-check';
import { schemaArb, type JsonSchema } from './openapi-arbitraries';

export interface FuzzActor {
  name: string;
  headers: Record<string, string>;
  /** Strings only this actor (and the admin) may ever see: its e-mail, user id, order ids. */
  markers: string[];
  /** Sees everybody's data by design. */
  admin?: boolean;
}

export interface FuzzFailure {
  kind: '5xx' | 'not-problem-json' | 'cross-tenant' | 'network';
  actor: string;
  method: string;
  url: string;
  status: number;
  detail: string;
}

export interface FuzzSummary {
  requests: number;
  operations: number;
  byClass: Record<string, number>;
  failures: FuzzFailure[];
  seconds: number;
}

interface Operation {
  method: string;
  path: string;
  params: Array<{ name: string; in: string; required: boolean; schema: JsonSchema }>;
  body: JsonSchema | undefined;
}

interface OpenApiDoc {
  paths: Record<string, Record<string, { parameters?: Operation['params']; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export function operationsOf(doc: OpenApiDoc): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue;
      ops.push({ method: method.toUpperCase(), path, params: (op.parameters ?? []).filter((p) => p.in === 'path' || p.in === 'query'), body: op.requestBody?.content?.['application/json']?.schema });
    }
  }
  return ops;
}

type Input = { path: Record<string, unknown>; query: Record<string, unknown>; body: unknown };

function inputArb(op: Operation, components: Record<string, JsonSchema>, hostile: boolean): fc.Arbitrary<Input> {
  const group = (where: string) => {
    const record: Record<string, fc.Arbitrary<unknown>> = {};
    const required: string[] = [];
    for (const p of op.params.filter((x) => x.in === where)) {
      record[p.name] = schemaArb(p.schema ?? {}, components, hostile);
      if (p.required || where === 'path') required.push(p.name);
    }
    return fc.record(record, { requiredKeys: required });
  };
  return fc.record({ path: group('path'), query: group('query'), body: op.body ? schemaArb(op.body, components, hostile) : fc.constant(undefined) });
}

function urlOf(op: Operation, input: Input): string {
  const path = op.path.replace(/\{([^}]+)\}/g, (_m, name: string) => encodeURIComponent(String(input.path[name] ?? 'x')));
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(input.query)) {
    if (v === undefined) continue;
    for (const item of Array.isArray(v) ? v : [v]) query.append(k, typeof item === 'object' && item !== null ? JSON.stringify(item) : String(item));
  }
  const text = query.toString();
  return text ? `${path}?${text}` : path;
}

export async function runFuzz(opts: {
  baseUrl: string;
  requests: number;
  seed: number;
  concurrency: number;
  actors: FuzzActor[];
  /** Real ids of everybody's resources, used now and then as path parameters (cross-tenant probes). */
  knownIds: string[];
  onProgress?: (done: number) => void;
}): Promise<FuzzSummary> {
  const started = Date.now();
  const doc = (await (await fetch(`${opts.baseUrl}/api/v1/openapi.json`)).json()) as OpenApiDoc;
  const components = doc.components?.schemas ?? {};
  const ops = operationsOf(doc);
  const POOL = 32;
  const pools = new Map<string, Input[]>();
  const inputFor = (op: Operation, i: number, hostile: boolean): Input => {
    const key = `${op.method} ${op.path} ${hostile}`;
    let pool = pools.get(key);
    if (!pool) {
      pool = fc.sample(inputArb(op, components, hostile), { seed: opts.seed + pools.size, numRuns: POOL });
      pools.set(key, pool);
    }
    const input = pool[Math.floor(i / ops.length) % POOL]!;
    if (opts.knownIds.length > 0 && i % 3 === 0) {
      const path = { ...input.path };
      for (const name of Object.keys(path)) path[name] = opts.knownIds[(i + name.length) % opts.knownIds.length];
      return { ...input, path };
    }
    return input;
  };

  const summary: FuzzSummary = { requests: 0, operations: ops.length, byClass: {}, failures: [], seconds: 0 };
  let next = 0;
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= opts.requests) return;
      const op = ops[i % ops.length]!;
      const actor = opts.actors[(i + Math.floor(i / ops.length)) % opts.actors.length]!;
      const input = inputFor(op, i, i % 2 === 1);
      const url = urlOf(op, input);
      const body = input.body === undefined || op.method === 'GET' || op.method === 'DELETE' ? undefined : JSON.stringify(input.body);
      const headers: Record<string, string> = { ...actor.headers, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) };
      if (op.method === 'POST' && i % 4 !== 0) headers['idempotency-key'] = `fuzz-${opts.seed}-${i}`;
      let status = 0;
      let text = '';
      let type = '';
      try {
        const res = await fetch(`${opts.baseUrl}${url}`, { method: op.method, headers, ...(body !== undefined ? { body } : {}), redirect: 'manual', signal: AbortSignal.timeout(30_000) });
        status = res.status;
        type = res.headers.get('content-type') ?? '';
        text = type.startsWith('image/') ? '' : await res.text();
      } catch (err) {
        summary.failures.push({ kind: 'network', actor: actor.name, method: op.method, url, status: 0, detail: (err as Error).message });
      }
      summary.requests++;
      const cls = status === 0 ? 'error' : `${Math.floor(status / 100)}xx`;
      summary.byClass[cls] = (summary.byClass[cls] ?? 0) + 1;
      const fail = (kind: FuzzFailure['kind'], detail: string) => summary.failures.push({ kind, actor: actor.name, method: op.method, url: url.slice(0, 300), status, detail: detail.slice(0, 300) });
      if (status >= 500) fail('5xx', text);
      if (status >= 400 && status < 500) {
        let code: unknown;
        try {
          code = (JSON.parse(text) as { code?: unknown }).code;
        } catch {
          code = undefined;
        }
        if (!type.startsWith('application/problem+json') || typeof code !== 'string') fail('not-problem-json', `${type} ${text}`);
      }
      if (!actor.admin && status > 0) {
        const sent = `${url} ${body ?? ''}`;
        for (const other of opts.actors) {
          if (other === actor) continue;
          const leaked = other.markers.find((m) => text.includes(m) && !sent.includes(m));
          if (leaked) fail('cross-tenant', `${other.name}'s ${leaked} in the answer`);
        }
      }
      if (summary.requests % 500 === 0) opts.onProgress?.(summary.requests);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency }, worker));
  summary.seconds = Math.round((Date.now() - started) / 100) / 10;
  return summary;
}

export function formatSummary(s: FuzzSummary, extra: string[] = []): string {
  const classes = Object.entries(s.byClass)
    .sort()
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const lines = [
    `fuzz: ${s.requests} requests over ${s.operations} operations in ${s.seconds} s`,
    `  by status class: ${classes}`,
    `  failures: ${s.failures.length} (5xx ${s.failures.filter((f) => f.kind === '5xx').length}, not problem+json ${s.failures.filter((f) => f.kind === 'not-problem-json').length}, cross-tenant ${s.failures.filter((f) => f.kind === 'cross-tenant').length}, network ${s.failures.filter((f) => f.kind === 'network').length})`,
    ...extra,
    ...s.failures.slice(0, 20).map((f) => `  ! ${f.kind} ${f.actor} ${f.method} ${f.url} -> ${f.status}: ${f.detail}`),
  ];
  return lines.join('\n');
}
