/**
 * Compatibility rules for versioned contracts (docs/architecture.md#contracts-and-names): within a version only optional fields may be
 * added. Compares two JSON Schemas (zod's `z.toJSONSchema` output) and lists every non-additive change.
 */
type Json = Record<string, unknown>;

export interface Breaking {
  path: string;
  problem: string;
}

export function breakingChanges(before: Json, after: Json, path = '$'): Breaking[] {
  const out: Breaking[] = [];
  const typeBefore = JSON.stringify(before.type ?? null);
  const typeAfter = JSON.stringify(after.type ?? null);
  if (typeBefore !== typeAfter) out.push({ path, problem: `type changed from ${typeBefore} to ${typeAfter}` });
  for (const key of ['const', 'enum', 'pattern', 'format', 'minimum', 'maximum', 'minLength', 'maxLength', 'minItems', 'maxItems']) {
    const a = JSON.stringify(before[key] ?? null);
    const b = JSON.stringify(after[key] ?? null);
    if (a !== b) out.push({ path, problem: `${key} changed from ${a} to ${b}` });
  }
  const propsBefore = (before.properties ?? {}) as Record<string, Json>;
  const propsAfter = (after.properties ?? {}) as Record<string, Json>;
  const requiredBefore = new Set((before.required ?? []) as string[]);
  const requiredAfter = new Set((after.required ?? []) as string[]);
  for (const [name, schema] of Object.entries(propsBefore)) {
    const next = propsAfter[name];
    if (!next) {
      out.push({ path: `${path}.${name}`, problem: 'field removed' });
      continue;
    }
    if (requiredBefore.has(name) !== requiredAfter.has(name)) {
      out.push({ path: `${path}.${name}`, problem: requiredAfter.has(name) ? 'became required' : 'became optional' });
    }
    out.push(...breakingChanges(schema, next, `${path}.${name}`));
  }
  for (const name of Object.keys(propsAfter)) {
    if (!propsBefore[name] && requiredAfter.has(name)) out.push({ path: `${path}.${name}`, problem: 'new required field' });
  }
  if (before.items || after.items) {
    out.push(...breakingChanges((before.items ?? {}) as Json, (after.items ?? {}) as Json, `${path}[]`));
  }
  for (const key of ['anyOf', 'oneOf', 'allOf']) {
    const a = (before[key] ?? []) as Json[];
    const b = (after[key] ?? []) as Json[];
    if (a.length !== b.length) out.push({ path, problem: `${key} has ${b.length} branches instead of ${a.length}` });
    else a.forEach((branch, i) => out.push(...breakingChanges(branch, b[i] as Json, `${path}<${key}${i}>`)));
  }
  return out;
}
