// The operator's dashboard in real headless Chromium against the real app on a real port, a real database and the
// SMTP sink. The account is made the way an operator makes one (`papermail admin add … --password-stdin`); the day's
// run had the relay refuse one reader with 550; the operator signs in, finds the reader and the relay's words on the
// day's page, presses "Resend to all failed", and that reader alone gets the digest. Then every page is
// photographed at desktop and phone widths (test-results/screenshots/dashboard-*.png) and checked with axe-core.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { DAY, settle, waitForSender } from '../admin/digest-setup.js';
import { createReaders } from '../digest/readers.js';
import { buildTestApp } from '../helpers/app.js';
import { launchBrowser, screenshotPath } from '../helpers/browser.js';
import { createTestDatabase } from '../helpers/database.js';
import { freePort, runCliWithInput } from '../helpers/process.js';
import { loadSeedPapers } from '../helpers/seed-papers.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';

const PASSWORD = 'ops password for the browser test';
const WIDTHS = { desktop: { width: 1280, height: 900 }, phone: { width: 390, height: 844 } };

/** axe-core's serious and critical findings on the page as it is, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  // The preview iframe is sandboxed without scripts: axe cannot enter it (the digest is an email, checked elsewhere).
  const results = await new AxeBuilder({ page }).exclude('iframe.preview').analyze();
  return results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('the dashboard in a browser', () => {
  it('signs in, finds the reader the relay refused, resends to all failed, and every page passes axe', async () => {
    const db = await createTestDatabase();
    const sink = await startSmtpSink({ closeAfter: false });
    await loadSeedPapers(db.prisma, DAY);
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const { app, services } = await buildTestApp(
      { SMTP_URL: sink.url, PUBLIC_URL: base, SEND_RETRY_BASE_MS: '20' },
      { db },
    );
    after(() => sink.close());
    await createReaders(db.prisma, [
      { email: 'ada@example.org', topics: ['speculative-decoding'] },
      { email: 'bob@example.org', topics: ['speculative-decoding'] },
    ]);
    sink.setPolicy((to) =>
      to.includes('bob@example.org') ? { code: 550, message: '5.7.1 Message rejected by policy' } : undefined,
    );
    await services.digests.runDay(DAY, { trigger: 'schedule' });
    sink.setPolicy(undefined);
    assert.deepEqual(
      sink.messages.map((m) => m.envelopeTo),
      [['ada@example.org']],
    );

    const added = await runCliWithInput(
      ['admin', 'add', 'ops@example.org', '--password-stdin'],
      { DATABASE_URL: db.url, LOG_LEVEL: 'silent' },
      `${PASSWORD}\n`,
    );
    assert.equal(added.code, 0, added.stderr);
    await app.listen({ host: '127.0.0.1', port });

    const browser = await launchBrowser();
    const context = await browser.newContext({ viewport: WIDTHS.desktop });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      const { url } = message.location();
      // The previewed digest shows paper thumbnails from Hugging Face, which this machine cannot reach.
      const thumbnail = url.startsWith('https://') && !url.startsWith(base);
      if (message.type() === 'error' && !url.endsWith('/favicon.ico') && !thumbnail) {
        consoleErrors.push(`${message.text()} (${url})`);
      }
    });

    // 1. Without a session the dashboard sends the browser to the sign-in form.
    await page.goto(`${base}/admin`);
    assert.equal(new URL(page.url()).pathname, '/admin/login');
    await page.getByLabel('Email').fill('ops@example.org');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Overview', level: 1 }).waitFor();
    assert.equal(new URL(page.url()).pathname, '/admin');

    // 2. The runs page leads to the day; the failed delivery names the reader and the relay's reply.
    await page.getByRole('navigation', { name: 'Dashboard' }).getByRole('link', { name: 'Runs' }).click();
    await page.getByRole('heading', { name: 'Runs', level: 1 }).waitFor();
    await page.getByRole('link', { name: DAY }).first().click();
    await page.getByRole('heading', { name: `Digest of ${DAY}` }).waitFor();
    const failedTable = page.getByRole('region', { name: 'Failed deliveries' });
    const bobRow = failedTable.getByRole('row').filter({ hasText: 'bob@example.org' });
    assert.equal(await bobRow.count(), 1);
    assert.match((await bobRow.textContent()) ?? '', /550 .*5\.7\.1 Message rejected by policy/);
    assert.equal(await failedTable.getByText('ada@example.org').count(), 0, 'the reader who got it is not listed');
    assert.equal(await page.getByRole('button', { name: 'Resend to bob@example.org' }).count(), 1);

    // 3. "Resend to all failed": the sink gets bob's digest, and ada nothing more.
    await page.getByRole('button', { name: 'Resend to all failed' }).click();
    await page.getByText('1 resend queued.').waitFor();
    assert.equal(await page.getByText('Resending to bob@example.org').count(), 1);
    await sink.waitFor(2);
    await waitForSender({ app, db, services, config: services.config, listen: async () => base });
    await settle();
    assert.equal(sink.to('bob@example.org').length, 1, "bob got the day's digest");
    assert.equal(sink.to('ada@example.org').length, 1, 'ada got nothing more');
    assert.equal(sink.messages.length, 2);
    assert.match(sink.to('bob@example.org')[0]!.parsed.subject ?? '', /Jul 31/);
    const resend = await db.prisma.delivery.findFirstOrThrow({ where: { resendOfId: { not: null } } });
    assert.equal(resend.status, 'sent');
    const entry = await db.prisma.auditEntry.findFirstOrThrow({ where: { action: 'digest.resend' } });
    assert.equal(entry.actor, 'dashboard ops@example.org');
    assert.deepEqual((entry.params as { mode: string }).mode, 'failed');

    // Pressing it again (a second click, a reload) queues nothing: the form's key replays the first answer.
    await page.goBack();
    await page.getByRole('button', { name: 'Resend to all failed' }).click();
    await page
      .getByText(/nothing new was queued|No resend queued/)
      .first()
      .waitFor();
    await settle();
    assert.equal(sink.messages.length, 2);

    // 4. Every page, at both widths: a screenshot, no serious or critical axe findings, nothing wider than the screen.
    const adaId = (await db.prisma.subscriber.findUniqueOrThrow({ where: { emailKey: 'ada@example.org' } })).id;
    const pages: { name: string; path: string; ready: string; act?: (p: Page) => Promise<void> }[] = [
      { name: 'overview', path: '/admin', ready: 'Overview' },
      { name: 'runs', path: '/admin/runs', ready: 'Runs' },
      {
        name: 'day',
        path: `/admin/days/${DAY}?preview=ada@example.org`,
        ready: `Digest of ${DAY}`,
        // The preview is ada's digest, rendered inside the sandboxed frame.
        act: (p) => p.frameLocator('iframe.preview').getByText('papers on speculative decoding').waitFor(),
      },
      { name: 'readers', path: '/admin/readers', ready: 'Readers' },
      { name: 'reader', path: `/admin/readers/${adaId}`, ready: 'ada@example.org' },
      { name: 'reader-erase', path: `/admin/readers/${adaId}/erase`, ready: "Erase this reader's personal data?" },
      { name: 'topics', path: '/admin/topics', ready: 'Topics' },
      {
        name: 'topic-check',
        path: '/admin/topics/speculative-decoding',
        ready: 'Topic: Speculative decoding',
        async act(p) {
          await p.getByLabel('Query').fill('"speculative decoding" OR "draft model"');
          await p.getByRole('button', { name: 'Check the change' }).click();
          await p.getByRole('heading', { name: 'Which papers would enter and leave' }).waitFor();
        },
      },
      {
        name: 'topic-retire',
        path: '/admin/topics/speculative-decoding/retire',
        ready: 'Retire Speculative decoding?',
      },
      {
        name: 'csv-report',
        path: '/admin/csv',
        ready: 'Import and export',
        async act(p) {
          await p.getByLabel('CSV file').setInputFiles({
            name: 'readers.csv',
            mimeType: 'text/csv',
            buffer: Buffer.from('email,topics\r\ncy@example.org,agents\r\nnot-an-address,agents\r\n'),
          });
          await p.getByLabel('opted in elsewhere: active at once, no email').check();
          await p.getByRole('button', { name: 'Import' }).click();
          await p.getByRole('heading', { name: 'Import report' }).waitFor();
        },
      },
      { name: 'audit', path: '/admin/audit', ready: 'Audit log' },
    ];
    const problems: string[] = [];
    for (const [width, viewport] of Object.entries(WIDTHS)) {
      await page.setViewportSize(viewport);
      for (const p of pages) {
        await page.goto(`${base}${p.path}`);
        await page.getByRole('heading', { name: p.ready, level: 1 }).waitFor();
        await p.act?.(page);
        await page.screenshot({ path: screenshotPath(`dashboard-${p.name}-${width}`), fullPage: true });
        for (const v of await seriousViolations(page)) problems.push(`${p.name} at ${width}: ${v}`);
        const overflow = await page.evaluate('document.documentElement.scrollWidth - window.innerWidth');
        if (Number(overflow) > 0) problems.push(`${p.name} at ${width}: ${overflow}px wider than the screen`);
      }
    }
    // The sign-in page and the error page, signed out at the end (which also checks signing out).
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.getByRole('heading', { name: 'Sign in to papermail' }).waitFor();
    for (const [width, viewport] of Object.entries(WIDTHS)) {
      await page.setViewportSize(viewport);
      await page.goto(`${base}/admin/login`);
      await page.screenshot({ path: screenshotPath(`dashboard-login-${width}`), fullPage: true });
      for (const v of await seriousViolations(page)) problems.push(`login at ${width}: ${v}`);
    }
    assert.deepEqual(problems, []);
    const cy = await db.prisma.subscriber.findUnique({ where: { emailKey: 'cy@example.org' } });
    assert.equal(cy?.status, 'active', 'the CSV import through the form created the reader');
    assert.deepEqual(consoleErrors, [], 'no CSP violations or other errors in the console');
    await context.close();
  });
});
