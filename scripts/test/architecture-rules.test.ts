/**
 * The architecture rules are lint errors, so they fail the build. This proves the rules really fire: each
 * probe is linted as if it were a file at that path (nothing is written to the tree).
 */
import { execFileSync, spawn } from 'node:child_process';

const root = `${__dirname}/../..`;

// The ESLint CLI in a child process: its flat config is an ES module, which jest's module system cannot load.
function ruleIdsFor(filePath: string, code: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn('npx', ['eslint', '--format', 'json', '--stdin', '--stdin-filename', filePath], {
      cwd: root,
      env: { ...process.env, NX_DAEMON: 'false' },
    });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.on('error', reject);
    child.on('close', () => {
      try {
        const [result] = JSON.parse(out) as Array<{ messages: Array<{ ruleId: string | null; severity: number }> }>;
        resolve((result?.messages ?? []).filter((m) => m.severity === 2).map((m) => m.ruleId ?? 'parse-error'));
      } catch (err) {
        reject(new Error(`eslint gave no JSON: ${out.slice(0, 500)} (${String(err)})`));
      }
    });
    child.stdin.end(code);
  });
}

beforeAll(() => {
  // The Nx boundary rule reads the cached project graph.
  execFileSync('npx', ['nx', 'show', 'projects'], { cwd: root, env: { ...process.env, NX_DAEMON: 'false' }, stdio: 'ignore' });
}, 60_000);

describe('architecture rules (eslint)', () => {
  it('refuses an app importing another app', async () => {
    const ids = await ruleIdsFor('apps/gateway/src/probe.ts', "import { x } from '../../esim-provisioning/src/config';\nexport const y = x;\n");
    expect(ids).toContain('@nx/enforce-module-boundaries');
  });

  it('refuses contracts importing anything but zod', async () => {
    const ids = await ruleIdsFor('libs/contracts/src/probe.ts', "import express from 'express';\nexport const app = express;\n");
    expect(ids).toContain('@nx/enforce-module-boundaries');
    const ok = await ruleIdsFor('libs/contracts/src/probe.ts', "import { z } from 'zod';\nexport const s = z.string();\n");
    expect(ok).toEqual([]);
  });

  it('refuses domain code importing a framework or an outer layer', async () => {
    const fw = await ruleIdsFor('apps/esim-provisioning/src/domain/probe.ts', "import express from 'express';\nexport const app = express;\n");
    expect(fw).toContain('no-restricted-imports');
    const layer = await ruleIdsFor('apps/esim-provisioning/src/domain/probe.ts', "import { a } from '../infrastructure/x';\nexport const b = a;\n");
    expect(layer).toContain('no-restricted-imports');
  });

  it('refuses console.log in service code', async () => {
    const ids = await ruleIdsFor('libs/http/src/probe.ts', "console.log('hi');\n");
    expect(ids).toContain('no-console');
  });
});
