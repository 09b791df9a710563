/**
 * "Once per period across replicas" for scheduled jobs. An advisory lock only keeps two runs from overlapping: with
 * N replicas, each on its own timer, a job with an hourly interval would still run N times an hour. So each run
 * first claims the period in `<schema>._job_runs`, in one statement: it succeeds only if the job's last start,
 * by whichever replica, is at least 90 % of the interval ago (the margin absorbs timer and clock jitter: the
 * replica whose timer drives the job is never skipped for being a few milliseconds early). Consecutive runs of a
 * job therefore start at least 0.9 x interval apart, whatever the number of replicas, and a replica that dies
 * hands the job to the others at their next tick.
 *
 * `_job_runs` is bookkeeping of this library, like `_prisma_migrations`: created on first use, not part of any
 * service's Prisma schema (the schema agreement check ignores both). `runs` counts every claimed run, which the
 * drills read to check the guarantee.
 */
import { assertSchemaName, qualified } from './schema-name';

export interface JobPeriod {
  /** The service's schema, where `_job_runs` lives. */
  schema: string;
  /** The job's interval. */
  periodMs: number;
}

/** Runs one statement and returns the number of rows it returned or changed. */
export type RowCountRunner = (text: string, values: unknown[]) => Promise<number>;

const DUE_FRACTION = 0.9;
const ensured = new Set<string>();

async function ensureTable(run: RowCountRunner, schema: string): Promise<void> {
  if (ensured.has(schema)) return;
  try {
    await run(
      `CREATE TABLE IF NOT EXISTS ${qualified(schema, '_job_runs')} (
         job text PRIMARY KEY,
         last_started_at timestamptz NOT NULL,
         runs bigint NOT NULL DEFAULT 1
       )`,
      [],
    );
  } catch (err) {
    // Two processes creating it at the same moment: one of them gets a duplicate in pg_type; the table exists.
    const code = (err as { code?: string }).code;
    if (code !== '23505' && code !== '42P07') throw err;
  }
  ensured.add(schema);
}

/** Claims this period for `job`; false when some replica started it less than 90 % of the period ago. */
export async function claimJobPeriod(run: RowCountRunner, job: string, period: JobPeriod): Promise<boolean> {
  const schema = assertSchemaName(period.schema);
  await ensureTable(run, schema);
  const table = qualified(schema, '_job_runs');
  const claimed = await run(
    `INSERT INTO ${table} AS r (job, last_started_at) VALUES ($1, now())
     ON CONFLICT (job) DO UPDATE SET last_started_at = now(), runs = r.runs + 1
      WHERE r.last_started_at <= now() - $2::float8 * interval '1 millisecond'
     RETURNING 1`,
    [job, Math.round(period.periodMs * DUE_FRACTION)],
  );
  return claimed > 0;
}
