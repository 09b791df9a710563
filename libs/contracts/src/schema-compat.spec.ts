import { z } from 'zod';
import { breakingChanges } from '../tooling/schema-compat';

const json = (s: z.ZodType) => z.toJSONSchema(s) as Record<string, unknown>;

describe('breakingChanges', () => {
  const v1 = z.object({ id: z.string(), amount: z.number().int(), note: z.string().optional() });

  it('accepts a new optional field', () => {
    expect(breakingChanges(json(v1), json(v1.extend({ extra: z.string().optional() })))).toEqual([]);
  });

  it('refuses a removed field, a new required field, a type change and a field made required', () => {
    const changed = z.object({ id: z.number(), note: z.string(), extra: z.string() });
    const problems = breakingChanges(json(v1), json(changed)).map((b) => `${b.path}: ${b.problem}`);
    expect(problems).toEqual(
      expect.arrayContaining([
        '$.amount: field removed',
        '$.extra: new required field',
        '$.id: type changed from "string" to "number"',
        '$.note: became required',
      ]),
    );
  });
});
