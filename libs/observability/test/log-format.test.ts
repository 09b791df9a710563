/**
 * LOG_FORMAT picks how a service's logs look on stdout: `pretty` (what `npm start` sets) gives one readable line
 * per event through pino-pretty, anything else pino's JSON. Checked in a real child process, on its real stdout.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const script = `
  const { createLogger } = require(${JSON.stringify(join(__dirname, '..', 'src'))});
  const logger = createLogger({ service: 'order', level: 'info' });
  logger.info({ orderId: 'ord_1' }, 'order placed');
  logger.error({ err: Object.assign(new Error('connection refused'), { code: 'ECONNREFUSED' }) }, 'broker unreachable');
`;

function run(logFormat: string | undefined): string[] {
  const env = { ...process.env, LOG_FORMAT: logFormat };
  if (logFormat === undefined) delete env.LOG_FORMAT;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', script], { encoding: 'utf8', env, cwd: join(__dirname, '..', '..', '..') });
  expect(child.stderr).toBe('');
  expect(child.status).toBe(0);
  return child.stdout.split('\n').filter(Boolean);
}

test('LOG_FORMAT=pretty prints readable lines: time, level, service, message, fields; an error with its stack below', () => {
  const lines = run('pretty');
  expect(lines[0]).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] INFO: \[order\] order placed \{"orderId":"ord_1"\}$/);
  expect(lines[1]).toMatch(/^\[\d{2}:\d{2}:\d{2}\.\d{3}\] ERROR: \[order\] broker unreachable\s*$/);
  const error = lines.slice(2).join('\n');
  expect(error).toContain('"message": "connection refused"');
  expect(error).toContain('"code": "ECONNREFUSED"');
  expect(error).toMatch(/Error: connection refused\n\s+at /);
  for (const line of lines) expect(() => JSON.parse(line)).toThrow();
});

test('LOG_FORMAT=json, or no LOG_FORMAT, keeps pino JSON', () => {
  for (const format of ['json', undefined]) {
    const lines = run(format).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines[0]).toMatchObject({ level: 30, service: 'order', msg: 'order placed', orderId: 'ord_1' });
    expect(lines[1]).toMatchObject({ level: 50, msg: 'broker unreachable', err: { type: 'Error', message: 'connection refused', code: 'ECONNREFUSED' } });
  }
});
