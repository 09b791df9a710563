import { z } from 'zod';
import { Envelope, EnvelopeSchema } from './envelope';
import { deepStrict } from './strict';

export type MessageKind = 'event' | 'command' | 'rpc';

export interface MessageContract<T = unknown> {
  /** Versioned name: `<producer>.<fact>.v<N>`, `<owner>.<verb-noun>.v<N>`. */
  readonly name: string;
  readonly kind: MessageKind;
  /** First segment of the name: the producer of an event, the owner of a command or RPC. */
  readonly owner: string;
  readonly version: number;
  /** Tolerant (consume side): unknown keys are stripped. */
  readonly schema: z.ZodType<T>;
  /** Strict (publish side): unknown keys are rejected at every depth. */
  readonly strictSchema: z.ZodType<T>;
}

export interface RpcContract<Req = unknown, Res = unknown> extends MessageContract<Req> {
  readonly kind: 'rpc';
  readonly responseSchema: z.ZodType<Res>;
  readonly strictResponseSchema: z.ZodType<Res>;
}

export type DataOf<C> = C extends MessageContract<infer T> ? T : never;
export type ResponseOf<C> = C extends RpcContract<unknown, infer R> ? R : never;

const NAME = /^([a-z][a-z0-9]*(?:-[a-z0-9]+)*)\.([a-z][a-z0-9]*(?:-[a-z0-9]+)*)\.v([1-9][0-9]*)$/;

function parseName(name: string): { owner: string; version: number } {
  const match = NAME.exec(name);
  if (!match) throw new Error(`invalid message name '${name}': expected <owner>.<name>.v<N> in kebab-case`);
  return { owner: match[1] as string, version: Number(match[3]) };
}

export function defineEvent<S extends z.ZodType>(name: string, schema: S): MessageContract<z.infer<S>> {
  return Object.freeze({ name, kind: 'event' as const, ...parseName(name), schema, strictSchema: deepStrict(schema) }) as unknown as MessageContract<z.infer<S>>;
}

export function defineCommand<S extends z.ZodType>(name: string, schema: S): MessageContract<z.infer<S>> {
  return Object.freeze({ name, kind: 'command' as const, ...parseName(name), schema, strictSchema: deepStrict(schema) }) as unknown as MessageContract<z.infer<S>>;
}

export function defineRpc<Q extends z.ZodType, R extends z.ZodType>(
  name: string,
  request: Q,
  response: R,
): RpcContract<z.infer<Q>, z.infer<R>> {
  return Object.freeze({
    name,
    kind: 'rpc' as const,
    ...parseName(name),
    schema: request,
    strictSchema: deepStrict(request),
    responseSchema: response,
    strictResponseSchema: deepStrict(response),
  }) as unknown as RpcContract<z.infer<Q>, z.infer<R>>;
}

export class ContractViolationError extends Error {
  constructor(
    readonly messageType: string,
    readonly issues: ReadonlyArray<{ path: string; message: string }>,
  ) {
    super(`message ${messageType} violates its contract: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'ContractViolationError';
  }
}

export function formatIssues(error: z.ZodError): Array<{ path: string; message: string }> {
  return error.issues.map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
}

export interface EnvelopeMeta {
  producer: string;
  correlationId: string;
  causationId?: string;
  id?: string;
  occurredAt?: Date;
}

/** Builds an envelope for publishing; the data is validated strictly and a violation throws. */
export function createEnvelope<T>(contract: MessageContract<T>, data: T, meta: EnvelopeMeta): Envelope<T> {
  const result = contract.strictSchema.safeParse(data);
  if (!result.success) throw new ContractViolationError(contract.name, formatIssues(result.error));
  const envelope: Envelope<T> = {
    id: meta.id ?? globalThis.crypto.randomUUID(),
    type: contract.name,
    occurredAt: (meta.occurredAt ?? new Date()).toISOString(),
    producer: meta.producer,
    correlationId: meta.correlationId,
    ...(meta.causationId ? { causationId: meta.causationId } : {}),
    data: result.data,
  };
  const checked = EnvelopeSchema.safeParse(envelope);
  if (!checked.success) throw new ContractViolationError(contract.name, formatIssues(checked.error));
  return envelope;
}

export type ParseResult<T> = { ok: true; envelope: Envelope<T> } | { ok: false; reason: string };

/** Parses a received message tolerantly: unknown keys are ignored, missing or mistyped ones are refused. */
export function parseEnvelope<T>(contract: MessageContract<T>, raw: unknown): ParseResult<T> {
  const envelope = EnvelopeSchema.safeParse(raw);
  if (!envelope.success) return { ok: false, reason: `invalid envelope: ${describe(envelope.error)}` };
  if (envelope.data.type !== contract.name) {
    return { ok: false, reason: `type ${envelope.data.type} is not ${contract.name}` };
  }
  const data = contract.schema.safeParse(envelope.data.data);
  if (!data.success) return { ok: false, reason: `invalid data for ${contract.name}: ${describe(data.error)}` };
  return { ok: true, envelope: { ...envelope.data, data: data.data } as Envelope<T> };
}

function describe(error: z.ZodError): string {
  return formatIssues(error)
    .map((i) => `${i.path || '(root)'}: ${i.message}`)
    .join('; ');
}
