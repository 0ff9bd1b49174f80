// A confirmed reader sets when and how in real headless Chromium, against the real app on a real port: from the
// preferences link of their digests they choose weekly on Friday, the Asia/Tokyo time zone, 08:00, an exclusion and
// a followed author, save, and find the row in Postgres and the page after the save saying so. Done at phone and
// desktop widths, each page checked with axe-core and for sideways scrolling; screenshots of the sign-up form's
// delivery fieldset and of the preferences before and after go to test-results/screenshots/preferences-*.png.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { AxeBuilder } from '@axe-core/playwright';
import type { Page } from 'playwright-core';
import { seedTopics } from '../../src/topics/seed-topics.js';
import { buildTestApp } from '../helpers/app.js';
import { launchBrowser, screenshotPath } from '../helpers/browser.js';
import { freePort } from '../helpers/process.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { FORM, form, freshIp, readerRow } from './readers.js';

const WIDTHS = { phone: { width: 390, height: 844 }, desktop: { width: 1280, height: 900 } };

/** What a page does wrong for a person: axe-core's serious and critical findings, and scrolling sideways. */
async function problemsOf(page: Page, name: string): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  const problems = results.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${name}: ${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  const overflow = Number(await page.evaluate('document.documentElement.scrollWidth - window.innerWidth'));
  if (overflow > 0) problems.push(`${name}: ${overflow}px wider than the screen`);
  return problems;
}

describe('delivery settings in a browser', () => {
  it('a confirmed reader sets weekly on Friday, Asia/Tokyo at 08:00, an exclusion and an author, and saves', async () => {
    const sink = await startSmtpSink({ closeAfter: false });
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const { app, db, services } = await buildTestApp({
      SMTP_URL: sink.url,
      PUBLIC_URL: base,
      DIGEST_TIMEZONE: 'Europe/Berlin',
      DIGEST_CRON: '0 7 * * *',
    });
    after(() => sink.close());
    await seedTopics(db.prisma);
    await app.listen({ host: '127.0.0.1', port });

    /** A reader who signed up and pressed the confirmation link; their token, as their digests' links carry it. */
    async function confirmedReader(email: string): Promise<string> {
      const signup = await app.inject({
        method: 'POST',
        url: '/api/subscriptions',
        payload: { email, topics: ['agents'] },
        remoteAddress: freshIp(),
      });
      assert.equal(signup.statusCode, 202);
      await services.subscriptions.processSignups();
      const confirmPath = new RegExp(`${base}(/confirm/[A-Za-z0-9_-]+)`).exec(
        sink.to(email)[0]?.parsed.text ?? '',
      )?.[1];
      assert.ok(confirmPath, 'the confirmation email has its link');
      const page = await app.inject({ url: confirmPath });
      const csrf = /name="csrf" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
      const pressed = await app.inject({ method: 'POST', url: confirmPath, headers: FORM, payload: form({ csrf }) });
      assert.equal(pressed.statusCode, 200);
      const row = await readerRow(db.prisma, email);
      assert.equal(row?.status, 'active');
      return row!.token;
    }

    const browser = await launchBrowser();
    const context = await browser.newContext();
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) {
        consoleErrors.push(`${message.text()} (${message.location().url})`);
      }
    });
    const problems: string[] = [];

    for (const [width, viewport] of Object.entries(WIDTHS)) {
      await page.setViewportSize(viewport);
      const shot = (name: string) =>
        page.screenshot({ path: screenshotPath(`preferences-${name}-${width}`), fullPage: true });

      // The sign-up form's delivery fieldset, as a visitor sees it: the operator's zone and hour chosen.
      await page.goto(`${base}/`);
      await page.getByRole('group', { name: 'Delivery (optional)' }).waitFor();
      assert.equal(await page.getByLabel('Time zone').inputValue(), 'Europe/Berlin');
      assert.equal(await page.getByLabel('Deliver at').inputValue(), '7');
      await shot('0-subscribe');
      problems.push(...(await problemsOf(page, `subscribe at ${width}`)));

      const email = `${width}@example.org`;
      const token = await confirmedReader(email);
      await page.goto(services.links.preferences(token));
      await page.getByRole('heading', { name: 'Your papermail preferences' }).waitFor();
      assert.equal(await page.getByLabel('Time zone').inputValue(), 'Europe/Berlin', "the operator's zone first");
      await shot('1-before');
      problems.push(...(await problemsOf(page, `preferences at ${width}`)));

      await page.getByLabel('Weekly', { exact: true }).check();
      await page.getByLabel('Day of a weekly digest').selectOption({ label: 'Friday' });
      await page.getByLabel('Time zone').selectOption({ label: 'Asia/Tokyo' });
      await page.getByLabel('Deliver at').selectOption({ label: '08:00' });
      await page.getByLabel('Never send me papers about').fill('benchmark');
      await page.getByLabel('Authors I follow').fill('Ada Lovelace');
      await page.getByRole('button', { name: 'Save preferences' }).click();
      await page.getByText('Saved. Your next digest follows these preferences.').waitFor();
      await shot('2-saved');
      problems.push(...(await problemsOf(page, `saved preferences at ${width}`)));

      const row = await readerRow(db.prisma, email);
      assert.deepEqual(
        {
          cadence: row?.cadence,
          weekday: row?.weekday,
          timezone: row?.timezone,
          hour: row?.hour,
          channel: row?.channel,
          excludeKeywords: row?.excludeKeywords,
          authors: row?.authors,
          topics: row?.topics.map((t) => t.topic.slug),
        },
        {
          cadence: 'weekly',
          weekday: 5,
          timezone: 'Asia/Tokyo',
          hour: 8,
          channel: 'email',
          excludeKeywords: ['benchmark'],
          authors: ['Ada Lovelace'],
          topics: ['agents'],
        },
        `${width}: the saved row`,
      );
      // The page after the save shows what was saved, as the form the reader would change next.
      assert.ok(await page.getByLabel('Weekly', { exact: true }).isChecked());
      assert.equal(await page.getByLabel('Day of a weekly digest').inputValue(), '5');
      assert.equal(await page.getByLabel('Time zone').inputValue(), 'Asia/Tokyo');
      assert.equal(await page.getByLabel('Deliver at').inputValue(), '8');
      assert.equal(await page.getByLabel('Never send me papers about').inputValue(), 'benchmark');
      assert.equal(await page.getByLabel('Authors I follow').inputValue(), 'Ada Lovelace');
      assert.equal(new URL(page.url()).pathname, new URL(services.links.preferences(token)).pathname);
    }

    assert.deepEqual(problems, []);
    assert.deepEqual(consoleErrors, [], 'no CSP violations or other errors in the console');
    await context.close();
  });
});
