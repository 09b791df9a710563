/**
 * fast-check arbitraries from the OpenAPI document's JSON Schemas (which the gateway generates from its zod schemas):
 * `valid` follows the schema (types, enums, formats, patterns, bounds); `hostile` mixes in values built to break
 * parsers and queries. Hand-written because the maintained zod bridge (zod-fast-check) targets zod 3 while the
 * platform is on zod 4, and driving the fuzzer from the published document covers exactly what clients see.
 */
import fc from 'fast-check';

export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
}

export const HOSTILE_STRINGS = [
  '',
  ' ',
  'A'.repeat(5000),
  "' OR '1'='1' --",
  '"; DROP TABLE users; --',
  '<script>alert(1)</script>',
  '../../../../etc/passwd',
  '%2e%2e%2f%2e%2e%2f',
  '\u0000',
  '\ud800',
  '𝕿𝖙𝖊𝖑𝕲𝖔 🚀',
  '__proto__',
  'constructor',
  '{"$where":"1"}',
  '${jndi:ldap://x}',
  'http://169.254.169.254/latest/meta-data/',
  '00000000-0000-0000-0000-000000000000',
  'NaN',
  '-1',
  '1e309',
];

const hostileValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom<unknown>(...HOSTILE_STRINGS, -1, 0, 2 ** 53, -(2 ** 63), 1e308, 0.5, true, null, [], {}, { __proto__: { admin: true } }, { constructor: { prototype: { x: 1 } } }),
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.anything({ maxDepth: 2, maxKeys: 3 }),
);

export function resolveRef(schema: JsonSchema, components: Record<string, JsonSchema>): JsonSchema {
  let current = schema;
  for (let i = 0; i < 20 && current.$ref; i++) current = components[current.$ref.replace('#/components/schemas/', '')] ?? {};
  return current;
}

function stringArb(s: JsonSchema): fc.Arbitrary<string> {
  if (s.format === 'uuid') return fc.uuid();
  if (s.format === 'email') return fc.emailAddress();
  if (s.format === 'date-time') return fc.date({ min: new Date('2020-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
  if (s.format === 'uri') return fc.webUrl();
  const maxLength = Math.min(s.maxLength ?? 40, 60);
  const minLength = Math.min(s.minLength ?? 0, maxLength);
  if (s.pattern) {
    try {
      return fc.stringMatching(new RegExp(s.pattern)).filter((v) => v.length >= minLength && v.length <= (s.maxLength ?? Infinity));
    } catch {
      // a pattern JavaScript cannot compile: plain strings
    }
  }
  return fc.string({ minLength, maxLength });
}

/** An arbitrary of `schema`; with `hostile`, every node may also be a hostile value (about one in four). */
export function schemaArb(schema: JsonSchema, components: Record<string, JsonSchema>, hostile: boolean, depth = 0): fc.Arbitrary<unknown> {
  const s = resolveRef(schema, components);
  const valid = ((): fc.Arbitrary<unknown> => {
    if (depth > 4) return fc.constant(null);
    if (s.const !== undefined) return fc.constant(s.const);
    if (s.enum) return fc.constantFrom(...s.enum);
    const union = s.anyOf ?? s.oneOf;
    if (union && union.length > 0) return fc.oneof(...union.map((u) => schemaArb(u, components, hostile, depth + 1)));
    if (s.allOf && s.allOf.length > 0) return schemaArb(s.allOf[0]!, components, hostile, depth + 1);
    const type = Array.isArray(s.type) ? s.type.find((t) => t !== 'null') : s.type;
    switch (type) {
      case 'string':
        return stringArb(s);
      case 'integer':
        return fc.integer({ min: Math.max(s.minimum ?? -1000, -(2 ** 31)), max: Math.min(s.maximum ?? 100_000, 2 ** 31) });
      case 'number':
        return fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true });
      case 'boolean':
        return fc.boolean();
      case 'array':
        return fc.array(schemaArb(s.items ?? {}, components, hostile, depth + 1), { minLength: s.minItems ?? 0, maxLength: Math.min(s.maxItems ?? 3, 3) });
      case 'object': {
        const props = s.properties ?? {};
        const record: Record<string, fc.Arbitrary<unknown>> = {};
        for (const [k, v] of Object.entries(props)) record[k] = schemaArb(v, components, hostile, depth + 1);
        return fc.record(record, { requiredKeys: (s.required ?? []).filter((k) => k in props) });
      }
      default:
        return fc.anything({ maxDepth: 1 });
    }
  })();
  return hostile ? fc.oneof({ arbitrary: valid, weight: 3 }, { arbitrary: hostileValue, weight: 1 }) : valid;
}
