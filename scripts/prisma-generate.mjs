// Root postinstall: generates every Prisma client of the monorepo (one per service under prisma/<service>/
// plus the @ttelgo/db test fixture). npm 11 does not run dependencies' install scripts, so nothing else
// would ever generate them on a fresh clone.
//
// The Prisma CLI wants a schema-engine binary on start and cannot download one offline; `generate` never
// runs it, so PRISMA_SCHEMA_ENGINE_BINARY only has to name an existing executable. The Node binary that
// runs this script always exists, whatever the platform.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(root, 'package.json'));

function findSchemas() {
  const schemas = [];
  const prismaDir = join(root, 'prisma');
  if (existsSync(prismaDir)) {
    for (const entry of readdirSync(prismaDir).sort()) {
      const candidate = join(prismaDir, entry, 'schema.prisma');
      if (statSync(join(prismaDir, entry)).isDirectory() && existsSync(candidate)) schemas.push(candidate);
    }
  }
  const fixture = join(root, 'libs', 'db', 'test', 'fixture', 'schema.prisma');
  if (existsSync(fixture)) schemas.push(fixture);
  return schemas;
}

function prismaCli() {
  try {
    return require.resolve('prisma/build/index.js');
  } catch {
    // `npm ci --omit=dev` (a production image) has no CLI on purpose; the clients are generated at build time.
    if ((process.env.npm_config_omit ?? '').split(/[\s,]+/).includes('dev')) {
      console.warn('prisma-generate: skipped, the prisma CLI (a devDependency) is not installed with --omit=dev');
      process.exit(0);
    }
    console.error('prisma-generate: the `prisma` package is not installed (run `npm ci` first)');
    process.exit(1);
  }
}

const cli = prismaCli();
const schemas = findSchemas();
if (schemas.length === 0) {
  console.error('prisma-generate: no schema.prisma found under prisma/*/ or libs/db/test/fixture/');
  process.exit(1);
}

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: process.env.PRISMA_SCHEMA_ENGINE_BINARY || process.execPath,
  PRISMA_HIDE_UPDATE_MESSAGE: '1',
  CHECKPOINT_DISABLE: '1',
};

// `--if-changed` (npm start, npm run drill) regenerates only the clients whose schema changed since they were
// last generated here. The generated clients are gitignored, so Nx does not hash them: a build after a rebase
// that changed a schema would otherwise bundle the stale client and store that bundle in Nx's cache under the
// new schema's hash. The stamp is the schema's sha256, kept next to the other caches in node_modules/.cache.
const ifChanged = process.argv.includes('--if-changed');
const stampDir = join(root, 'node_modules', '.cache', 'ttelgo-prisma');
const stampOf = (schema) => join(stampDir, `${relative(root, schema).replace(/[\\/]/g, '__')}.sha256`);
const hashOf = (schema) => createHash('sha256').update(readFileSync(schema)).digest('hex');
const outputOf = (schema) => {
  const match = /^\s*output\s*=\s*"([^"]+)"/m.exec(readFileSync(schema, 'utf8'));
  return match ? join(dirname(schema), match[1]) : undefined;
};
const isFresh = (schema) => {
  const output = outputOf(schema);
  const stamp = stampOf(schema);
  return output !== undefined && existsSync(output) && existsSync(stamp) && readFileSync(stamp, 'utf8') === hashOf(schema);
};

const failed = [];
let skipped = 0;
for (const schema of schemas) {
  const name = relative(root, schema);
  if (ifChanged && isFresh(schema)) {
    skipped += 1;
    continue;
  }
  const result = spawnSync(process.execPath, [cli, 'generate', '--schema', schema], { cwd: root, env, stdio: 'inherit' });
  if (result.error || result.status !== 0) {
    console.error(`prisma-generate: FAILED for ${name} (exit ${result.status ?? 'none'}${result.error ? `, ${result.error.message}` : ''})`);
    failed.push(name);
  } else {
    mkdirSync(stampDir, { recursive: true });
    writeFileSync(stampOf(schema), hashOf(schema));
  }
}

if (failed.length > 0) {
  console.error(`prisma-generate: ${failed.length} of ${schemas.length} schema(s) failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`prisma-generate: generated ${schemas.length - skipped} Prisma client(s)${skipped > 0 ? `, ${skipped} unchanged` : ''}`);
