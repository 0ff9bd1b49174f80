// `npm test`: the global setup node's test runner lacks on Node 20. It picks the Postgres server (TEST_DATABASE_URL,
// DATABASE_URL, or an embedded one), migrates one template database, then runs every test file in parallel; each
// file clones the template into a database of its own.
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../src/db/migrate.js';
import { ensureTemplate, resolveTestServer } from './helpers/test-server.js';

function findTests(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'helpers' || e.name === 'fixtures' ? [] : findTests(full);
    return e.name.endsWith('.test.ts') ? [full] : [];
  });
}

const args = process.argv.slice(2);
const files = args.filter((a) => !a.startsWith('-'));
const flags = args.filter((a) => a.startsWith('-'));
const tests = files.length > 0 ? files : findTests(path.join(projectRoot, 'test')).sort();

const server = await resolveTestServer();
const template = await ensureTemplate(server.url);
process.stdout.write(`test database server: ${server.embedded ? 'embedded Postgres' : 'from the environment'}\n`);

const code = await new Promise<number>((resolve) => {
  const child = spawn(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
      ...(flags.some((f) => f.startsWith('--test-reporter')) ? [] : ['--test-reporter=spec']),
      ...flags,
      ...tests,
    ],
    {
      stdio: 'inherit',
      env: { ...process.env, PAPERMAIL_TEST_SERVER_URL: server.url, PAPERMAIL_TEST_TEMPLATE: template },
    },
  );
  child.on('close', (c) => resolve(c ?? 1));
});
await server.embedded?.stop();
process.exit(code);
