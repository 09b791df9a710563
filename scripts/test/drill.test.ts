/**
 * The short drill (`npm run drill -- --short`) as part of the suite: the compiled platform under its supervisor,
 * two replicas of every consumer service and of the gateway, on the drill's own Postgres, RabbitMQ and Redis, under
 * B2B and B2C load:
 *   - order and esim-provisioning frozen (SIGSTOP) while Postgres restarts, resumed 12 s later: nothing crashes;
 *   - kill -9 of both esim-provisioning replicas mid-saga: the supervisor restarts them.
 * Each must end with orders accepted, none lost or duplicated (eSIM Go purchases counted at the simulator), the
 * ledger balanced, wallets never negative, no dead letters, eSIM Go within 10 requests/s, periodic jobs at most
 * once per period, every reply to its own caller, and no process dying on its own. About two minutes; the full
 * set is `npm run drill` (docs/reliability.md).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DrillResult } from '../drill/run-drill';

jest.setTimeout(8 * 60_000);

const root = join(__dirname, '..', '..');
let dir: string;
let results: DrillResult[] = [];
let output = '';
let exitCode: number | null = null;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ttelgo-drill-'));
  const json = join(dir, 'drill.json');
  // The compiled bundles, as `npm run drill` builds them; then the short drill in slot 1 (its own servers' and the
  // platform's ports apart from a full drill's and from `npm start`'s), one suite at a time on this machine.
  const build = spawn('npx', ['nx', 'run-many', '-t', 'build', '--output-style=static'], { cwd: root, stdio: 'ignore' });
  await new Promise((resolve) => build.once('exit', resolve));
  const child = spawn('flock', ['/tmp/ttelgo-drill-1.lock', 'npx', 'tsx', 'scripts/drill/main.ts', '--short', '--json', json], {
    cwd: root,
    env: { ...process.env, LOG_LEVEL: 'warn', DRILL_SLOT: '1' },
  });
  child.stdout.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr.on('data', (c: Buffer) => (output += c.toString()));
  exitCode = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  try {
    results = (JSON.parse(readFileSync(json, 'utf8')) as { results: DrillResult[] }).results;
  } catch {
    results = [];
  }
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const tail = () => output.split('\n').slice(-60).join('\n');

test('every short drill ran', () => {
  expect({ drills: results.map((r) => r.name), output: results.length === 2 ? '' : tail() }).toEqual({ drills: ['freeze+postgres-restart', 'kill9-esim-provisioning'], output: '' });
});

test.each(['freeze+postgres-restart', 'kill9-esim-provisioning'])('%s: nothing lost, duplicated or crashed; the money adds up', (name) => {
  const r = results.find((x) => x.name === name);
  expect(r).toBeDefined();
  const verdict = {
    acceptedSome: r!.accepted > 0,
    lost: r!.lost,
    duplicated: r!.duplicated,
    ledgerBalanced: r!.ledgerBalanced,
    walletsNeverNegative: r!.walletsNeverNegative,
    deadLetters: r!.deadLetters,
    esimGoWithinBudget: r!.esimGoPeakPerSecond <= 10,
    jobsOncePerPeriod: r!.jobsOncePerPeriod,
    misdirectedReplies: r!.misdirectedReplies,
    crashes: r!.crashes,
  };
  const expected = {
    acceptedSome: true,
    lost: 0,
    duplicated: 0,
    ledgerBalanced: true,
    walletsNeverNegative: true,
    deadLetters: 0,
    esimGoWithinBudget: true,
    jobsOncePerPeriod: true,
    misdirectedReplies: 0,
    crashes: 0,
  };
  // On failure the diff shows the drill's own narrative of what happened.
  expect({ ...verdict, notes: r!.passed ? [] : r!.notes }).toEqual({ ...expected, notes: [] });
});

test('the drill exits 0 when every drill passed', () => {
  expect(exitCode).toBe(results.every((r) => r.passed) && results.length === 2 ? 0 : 1);
});
