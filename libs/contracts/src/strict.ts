import { z } from 'zod';

/**
 * Returns a copy of `schema` in which every object, at any depth, rejects unknown keys.
 * Contracts are written once (tolerant: unknown keys are stripped, so an older consumer accepts a newer
 * producer's optional fields) and published through the strict copy, so a producer cannot send a field the
 * contract does not declare.
 */
export function deepStrict<T extends z.ZodType>(schema: T): T {
  return strictify(schema) as T;
}

function strictify(schema: z.ZodType): z.ZodType {
  if (schema instanceof z.ZodObject) {
    const shape: Record<string, z.ZodType> = {};
    for (const [key, value] of Object.entries(schema.shape as Record<string, z.ZodType>)) shape[key] = strictify(value);
    return z.strictObject(shape);
  }
  if (schema instanceof z.ZodArray) {
    let next: z.ZodType = z.array(strictify(schema.element as z.ZodType));
    const { minimum, maximum } = arrayBounds(schema as unknown as z.ZodArray<z.ZodType>);
    if (minimum !== undefined) next = (next as z.ZodArray<z.ZodType>).min(minimum);
    if (maximum !== undefined) next = (next as z.ZodArray<z.ZodType>).max(maximum);
    return next;
  }
  if (schema instanceof z.ZodOptional) return strictify(schema.unwrap() as z.ZodType).optional();
  if (schema instanceof z.ZodNullable) return strictify(schema.unwrap() as z.ZodType).nullable();
  if (schema instanceof z.ZodUnion) return z.union((schema.options as z.ZodType[]).map(strictify) as [z.ZodType, z.ZodType]);
  if (schema instanceof z.ZodDiscriminatedUnion) {
    const options = (schema.options as z.ZodType[]).map(strictify) as [z.ZodObject, z.ZodObject];
    return z.discriminatedUnion((schema.def as { discriminator: string }).discriminator, options);
  }
  return schema;
}

function arrayBounds(schema: z.ZodArray<z.ZodType>): { minimum?: number; maximum?: number } {
  const out: { minimum?: number; maximum?: number } = {};
  for (const check of (schema.def.checks ?? []) as unknown as Array<{ _zod: { def: Record<string, unknown> } }>) {
    const def = check._zod.def;
    if (def.check === 'min_length') out.minimum = def.minimum as number;
    if (def.check === 'max_length') out.maximum = def.maximum as number;
  }
  return out;
}
