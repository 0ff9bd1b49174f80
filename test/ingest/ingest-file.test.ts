import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import { projectRoot } from '../../src/db/migrate.js';
import { isPapermailError } from '../../src/errors.js';
import { createIngestService } from '../../src/ingest/ingest-service.js';
import { createLogger } from '../../src/logger.js';
import { testConfig } from '../helpers/app.js';
import { createTestDatabase } from '../helpers/database.js';

async function setup() {
  const db = await createTestDatabase();
  const ingest = createIngestService({ prisma: db.prisma, config: testConfig({}, db), log: createLogger('silent') });
  return { db, ingest };
}

describe('ingest from a file', () => {
  it('stores the bundled demo day (a real Hugging Face answer) on the day asked for', async () => {
    const { db, ingest } = await setup();
    const file = path.join(projectRoot, 'prisma/seed/daily-papers-2026-07-31.json');

    const report = await ingest.ingestDay('2026-07-31', `file:${file}`);

    assert.deepEqual(
      { source: report.source, fetched: report.fetched, created: report.created, skipped: report.skipped },
      { source: 'file', fetched: 34, created: 34, skipped: [] },
    );
    const top = await db.prisma.listing.findFirstOrThrow({ where: { rank: 1 }, include: { paper: true } });
    assert.equal(top.paper.title, 'PhiZero: A World Model Built Around Physical Language');
    assert.equal(top.source, 'file');
    assert.equal(top.date.toISOString(), '2026-07-31T00:00:00.000Z');
  });

  it('says clearly when the file is missing or is not a Daily Papers list, and writes nothing', async () => {
    const { db, ingest } = await setup();
    const dir = mkdtempSync(path.join(os.tmpdir(), 'papermail-file-source-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, '[{"paper": ');

    const failures: string[] = [];
    for (const source of [`file:${path.join(dir, 'missing.json')}`, `file:${broken}`]) {
      try {
        await ingest.ingestDay('2026-07-31', source);
      } catch (err) {
        assert.ok(isPapermailError(err));
        failures.push(err.message);
      }
    }

    assert.equal(failures.length, 2);
    assert.match(failures[0]!, /cannot read .*missing\.json: no such file/);
    assert.match(failures[1]!, /broken\.json is not JSON/);
    assert.equal(await db.prisma.paper.count(), 0);
  });
});
