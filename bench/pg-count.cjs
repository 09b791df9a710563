/**
 * Diagnostic preload for benchmarks (BENCH_PG_COUNT=1): counts the SQL statements a service sends through `pg`
 * (Prisma's adapter and the raw pools alike), by normalised text, and writes them to
 * $BENCH_PG_COUNT_DIR/<pid>.json when the process exits. Not used outside `npm run bench`.
 */
/* eslint-disable @typescript-eslint/no-require-imports -- a CommonJS preload (node --require) */
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
const pg = require('pg');

const counts = new Map();
const original = pg.Client.prototype.query;
pg.Client.prototype.query = function query(config, ...rest) {
  const text = typeof config === 'string' ? config : config && typeof config.text === 'string' ? config.text : '(other)';
  const key = text.replace(/\s+/g, ' ').replace(/\$\d+/g, '$').slice(0, 160);
  counts.set(key, (counts.get(key) || 0) + 1);
  return original.call(this, config, ...rest);
};
process.on('exit', () => {
  const dir = process.env.BENCH_PG_COUNT_DIR || '/tmp';
  const name = process.env.DB_SCHEMA || String(process.pid);
  const sorted = [...counts.entries()].sort((a, b) => b[1] - a[1]);
  writeFileSync(join(dir, `pgcount-${name}.json`), JSON.stringify(Object.fromEntries(sorted), null, 1));
});
