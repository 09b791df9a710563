/**
 * `npm run rss`: the idle memory of every platform process under `npm start`. Runs `npm start` (which builds
 * through Nx's cache and starts the compiled bundles), waits until it prints that the platform is running, lets
 * it idle for 45 s (RSS_IDLE_S), then reads each process's resident set size (VmRSS in /proc/<pid>/status, Linux
 * only), prints one line per process, stops the platform with SIGINT as Ctrl-C would, and exits 1 when a
 * service is above the budget (RSS_BUDGET_MB, 150). `--dev` measures `npm run dev` (tsx watch) instead.
 *
 * It uses the fixed ports and shared schemas of `npm start`: run it alone, under the platform lock:
 *   flock /tmp/ttelgo-platform.lock npm run rss
 */
import { spawn } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync } from 'node:fs';
import { services } from './services';

const dev = process.argv.includes('--dev');
const idleSeconds = Number(process.env.RSS_IDLE_S ?? 45);
const budgetMb = Number(process.env.RSS_BUDGET_MB ?? 150);
const logFile = process.env.RSS_LOG ?? '/tmp/ttelgo-rss-start.log';

interface Proc {
  pid: number;
  ppid: number;
  cmdline: string;
}

function processes(): Proc[] {
  const list: Proc[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // Fields after the command name, which sits in parentheses and may itself contain spaces.
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      list.push({ pid: Number(entry), ppid, cmdline });
    } catch {
      // the process ended while we looked
    }
  }
  return list;
}

function descendants(root: number): Proc[] {
  const all = processes();
  const found: Proc[] = [];
  const queue = [root];
  while (queue.length > 0) {
    const parent = queue.shift() as number;
    for (const p of all.filter((q) => q.ppid === parent)) {
      found.push(p);
      queue.push(p.pid);
    }
  }
  return found;
}

function rssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

/** The process that runs a service's code: its bundle under npm start, its sources (not tsx's watcher) under dev. */
function serviceProcess(tree: Proc[], name: string): Proc | undefined {
  const main = services.find((s) => s.name === name)?.main ?? '';
  const marker = dev ? main : `dist/${main.replace(/\/src\/main\.ts$/, '')}/main.js`;
  return tree.find((p) => p.cmdline.includes(marker) && !p.cmdline.includes('cli.mjs'));
}

async function main(): Promise<void> {
  const log = createWriteStream(logFile);
  const started = Date.now();
  const npm = spawn('npm', ['run', dev ? 'dev' : 'start'], { stdio: ['ignore', 'pipe', 'pipe'], detached: false });
  npm.stderr.pipe(log);
  const running = new Promise<void>((resolve, reject) => {
    let seen = '';
    npm.stdout.on('data', (chunk: Buffer) => {
      log.write(chunk);
      seen = (seen + chunk.toString('utf8')).slice(-4096);
      if (seen.includes('TtelGo is running.')) resolve();
    });
    npm.once('exit', (code) => reject(new Error(`npm ${dev ? 'run dev' : 'start'} exited with code ${code} before the platform ran: see ${logFile}`)));
  });
  await running;
  const readyAfter = (Date.now() - started) / 1000;
  console.log(`platform ready after ${readyAfter.toFixed(0)} s (${dev ? 'npm run dev, tsx watch' : 'npm start, compiled'}); idling ${idleSeconds} s…`);
  await new Promise((r) => setTimeout(r, idleSeconds * 1000));

  const tree = descendants(npm.pid as number);
  const rows = services.map((s) => {
    const proc = serviceProcess(tree, s.name);
    return { name: s.name, pid: proc?.pid, rss: proc ? rssMb(proc.pid) : NaN, service: s.schema !== undefined };
  });
  console.log(`\nidle RSS ${idleSeconds} s after the platform was ready (Node ${process.versions.node}, load average ${(await import('node:os')).loadavg().map((l) => l.toFixed(2)).join(' ')}):`);
  for (const row of rows) {
    const verdict = row.service ? (row.rss <= budgetMb ? 'ok' : `OVER ${budgetMb} MB`) : 'simulator/tool';
    console.log(`  ${row.name.padEnd(18)} pid ${String(row.pid ?? '-').padEnd(7)} ${row.rss.toFixed(1).padStart(6)} MB   ${verdict}`);
  }

  // Ctrl-C as npm start handles it: its supervisor (the scripts/start.ts process) stops every child gracefully.
  const supervisor = tree.find((p) => p.cmdline.includes('scripts/start.ts') && !p.cmdline.includes('.bin/tsx') && !p.cmdline.startsWith('sh '));
  process.kill(supervisor?.pid ?? (npm.pid as number), 'SIGINT');
  await new Promise((r) => npm.once('exit', r));
  const missing = rows.filter((r) => r.pid === undefined).map((r) => r.name);
  const over = rows.filter((r) => r.service && r.rss > budgetMb).map((r) => r.name);
  if (missing.length > 0) console.error(`no process found for ${missing.join(', ')}`);
  if (over.length > 0) console.error(`over the ${budgetMb} MB budget: ${over.join(', ')}`);
  process.exit(missing.length > 0 || over.length > 0 ? 1 : 0);
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : String(err));
  process.exit(1);
});
