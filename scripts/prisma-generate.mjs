// Root postinstall: generates every Prisma client of the monorepo (one per service under prisma/<service>/
// plus the @ttelgo/db test fixture). npm 11 does not run dependencies' install scripts, so nothing else
// would ever generate them on a fresh clone.
//
// The Prisma CLI wants a schema-engine binary on start and cannot download one offline; `generate` never
// runs it, so PRISMA_SCHEMA_ENGINE_BINARY only has to name an existing executable. The Node binary that
// runs this script always exists, whatever the platform.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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

const failed = [];
for (const schema of schemas) {
  const name = relative(root, schema);
  const result = spawnSync(process.execPath, [cli, 'generate', '--schema', schema], { cwd: root, env, stdio: 'inherit' });
  if (result.error || result.status !== 0) {
    console.error(`prisma-generate: FAILED for ${name} (exit ${result.status ?? 'none'}${result.error ? `, ${result.error.message}` : ''})`);
    failed.push(name);
  }
}

if (failed.length > 0) {
  console.error(`prisma-generate: ${failed.length} of ${schemas.length} schema(s) failed: ${failed.join(', ')}`);
  process.exit(1);
}
console.log(`prisma-generate: generated ${schemas.length} Prisma client(s)`);
