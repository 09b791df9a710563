import { z } from 'zod';
import { isProduction, publicSecretsIn } from './deployment';

export interface ConfigIssue {
  variable: string;
  message: string;
}

/** Thrown at start-up; the message lists every bad or missing variable, one per line. */
export class ConfigError extends Error {
  readonly issues: ConfigIssue[];

  constructor(issues: ConfigIssue[]) {
    super(['Invalid configuration:', ...issues.map((i) => `  - ${i.variable}: ${i.message}`)].join('\n'));
    this.name = 'ConfigError';
    this.issues = issues;
  }
}

function valueAt(source: unknown, path: readonly PropertyKey[]): unknown {
  let current = source;
  for (const key of path) {
    if (current === null || typeof current !== 'object') return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/**
 * Parses the environment (process.env by default) with a zod schema, failing fast with every problem at once. In
 * production (NODE_ENV other than exactly `development` or `test`) a resolved value, default or not, that is one of
 * the repository's public secrets is refused too.
 */
export function loadConfig<S extends z.ZodType>(schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) {
    const leaks = isProduction(env['NODE_ENV']) ? publicSecretsIn(result.data) : [];
    if (leaks.length > 0) throw new ConfigError(leaks);
    return result.data;
  }
  const issues = result.error.issues.map((issue) => {
    const variable = issue.path.map(String).join('.') || '(root)';
    const missing = issue.code === 'invalid_type' && valueAt(env, issue.path) === undefined;
    return { variable, message: missing ? 'Required' : issue.message };
  });
  throw new ConfigError(issues);
}

// An empty variable (`PORT=`) is treated as unset: that is what people mean when they blank one in a .env file.
function present(raw: string | undefined): raw is string {
  return raw !== undefined && raw.trim() !== '';
}

function intSchema(def: number | undefined, min: number, max: number) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): number => {
      if (!present(raw)) {
        if (def !== undefined) return def;
        ctx.addIssue({ code: 'custom', message: 'Required' });
        return z.NEVER;
      }
      const text = raw.trim();
      const value = Number(text);
      if (!/^[+-]?\d+$/.test(text) || !Number.isSafeInteger(value) || value < min || value > max) {
        ctx.addIssue({ code: 'custom', message: `expected integer ${min}..${max}, got '${raw}'` });
        return z.NEVER;
      }
      return value;
    });
}

function stringSchema(def: string | undefined, check?: (value: string) => string | undefined) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): string => {
      if (!present(raw)) {
        if (def !== undefined) return def;
        ctx.addIssue({ code: 'custom', message: 'Required' });
        return z.NEVER;
      }
      const problem = check?.(raw);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      return raw;
    });
}

function optionalStringSchema(check?: (value: string) => string | undefined) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): string | undefined => {
      if (!present(raw)) return undefined;
      const problem = check?.(raw);
      if (problem) {
        ctx.addIssue({ code: 'custom', message: problem });
        return z.NEVER;
      }
      return raw;
    });
}

// The value is not echoed back: URLs often carry credentials.
function urlProblem(raw: string): string | undefined {
  try {
    new URL(raw);
    return undefined;
  } catch {
    return 'expected an absolute URL';
  }
}

const TRUE = new Set(['true', '1']);
const FALSE = new Set(['false', '0']);

/** zod schemas for environment strings; each reports its own reason ("expected integer 0..65535, got 'abc'"). */
export const env = {
  port(def?: number) {
    return intSchema(def, 0, 65535);
  },
  /** `env.int(10, { min: 1, max: 100 })` or `env.int(10, 1, 100)` */
  int(def?: number, minOrRange?: number | { min?: number; max?: number }, max?: number) {
    const range = typeof minOrRange === 'object' ? minOrRange : { min: minOrRange, max };
    return intSchema(def, range.min ?? Number.MIN_SAFE_INTEGER, range.max ?? Number.MAX_SAFE_INTEGER);
  },
  /** true/false/1/0, case-insensitive */
  bool(def?: boolean) {
    return z
      .string()
      .optional()
      .transform((raw, ctx): boolean => {
        if (!present(raw)) {
          if (def !== undefined) return def;
          ctx.addIssue({ code: 'custom', message: 'Required' });
          return z.NEVER;
        }
        const text = raw.trim().toLowerCase();
        if (TRUE.has(text)) return true;
        if (FALSE.has(text)) return false;
        ctx.addIssue({ code: 'custom', message: `expected true/false/1/0, got '${raw}'` });
        return z.NEVER;
      });
  },
  url(def?: string) {
    return stringSchema(def, urlProblem);
  },
  /** An optional URL (e.g. REDIS_URL): undefined when unset, validated when set. */
  optionalUrl() {
    return optionalStringSchema(urlProblem);
  },
  string(def?: string) {
    return stringSchema(def);
  },
  optionalString() {
    return optionalStringSchema();
  },
};
