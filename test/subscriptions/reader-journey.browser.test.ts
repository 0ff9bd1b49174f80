// A reader's whole journey in real headless Chromium, against the real app on a real port: sign up at /, get the
// confirmation email from the SMTP sink, confirm, change topics, unsubscribe, come back. Screenshots of every page
// go to test-results/screenshots/reader-*.png (phone-sized viewport), the confirmation email's HTML too.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { createSignupLoop } from '../../src/jobs/signup-loop.js';
import { seedTopics } from '../../src/topics/seed-topics.js';
import { buildTestApp } from '../helpers/app.js';
import { launchBrowser, screenshotPath } from '../helpers/browser.js';
import { freePort } from '../helpers/process.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { readerRow } from './readers.js';

describe('a reader in a browser', () => {
  it('signs up, confirms from the email, changes topics, unsubscribes and comes back', async () => {
    const sink = await startSmtpSink({ closeAfter: false });
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const { app, db, services } = await buildTestApp({ SMTP_URL: sink.url, PUBLIC_URL: base });
    after(() => sink.close());
    await seedTopics(db.prisma);
    await app.listen({ host: '127.0.0.1', port });
    // As server.ts does: the sign-up queue's worker sends the confirmation email.
    const signupLoop = createSignupLoop(services);
    signupLoop.start();

    const browser = await launchBrowser();
    const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
    const page = await context.newPage();
    const consoleErrors: string[] = [];
    page.on('console', (message) => {
      // The browser asks for /favicon.ico on its own; there is none, and that is not this test's business.
      if (message.type() === 'error' && !message.location().url.endsWith('/favicon.ico')) {
        consoleErrors.push(`${message.text()} (${message.location().url})`);
      }
    });
    const shot = (name: string) => page.screenshot({ path: screenshotPath(`reader-${name}`), fullPage: true });

    // 1. The form at /.
    await page.goto(`${base}/`);
    await shot('1-subscribe');
    await page.getByLabel('Your email address').fill('ada.lovelace@example.org');
    await page.getByLabel('Speculative decoding').check();
    await page.getByLabel('Vision-language models').check();
    await page.getByLabel('Your own keywords').fill('world model');
    await page.getByRole('button', { name: 'Subscribe' }).click();
    await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();
    await shot('2-check-inbox');
    // The stylesheet loaded under the CSP: the link has the accent colour, not the browser's blue.
    assert.equal(await page.evaluate(`getComputedStyle(document.querySelector('main a')).color`), 'rgb(179, 38, 30)');

    // 2. The confirmation email, and its link.
    const [mail] = await sink.waitFor(1);
    assert.deepEqual(mail!.envelopeTo, ['ada.lovelace@example.org']);
    const confirmUrl = new RegExp(`${base}/confirm/[A-Za-z0-9_-]+`).exec(mail!.parsed.text ?? '')?.[0];
    assert.ok(confirmUrl, 'the email has a confirmation link to this server');
    const mailView = await context.newPage();
    await mailView.setContent(mail!.parsed.html || '');
    await mailView.screenshot({ path: screenshotPath('reader-3-confirmation-email'), fullPage: true });
    assert.equal(
      await mailView.getByRole('link', { name: 'Confirm my subscription' }).getAttribute('href'),
      confirmUrl,
    );
    await mailView.close();
    await page.goto(confirmUrl);
    await page.getByRole('heading', { name: 'Confirm your subscription' }).waitFor();
    await shot('4-confirm');
    assert.equal(
      (await readerRow(db.prisma, 'ada.lovelace@example.org'))?.status,
      'pending',
      'opening the link is not confirming',
    );

    // 3. The button activates.
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    await page.getByRole('heading', { name: 'You are subscribed' }).waitFor();
    await shot('5-confirmed');
    const confirmed = await readerRow(db.prisma, 'ada.lovelace@example.org');
    assert.equal(confirmed?.status, 'active');
    assert.deepEqual(confirmed?.topics.map((t) => t.topic.slug).sort(), [
      'speculative-decoding',
      'vision-language-models',
    ]);

    // 4. Preferences: swap a topic, fewer papers, top 3 on quiet days.
    await page.getByRole('link', { name: 'Change topics and preferences' }).click();
    await page.getByRole('heading', { name: 'Your papermail preferences' }).waitFor();
    assert.equal(page.url(), services.links.preferences(confirmed!.token));
    await shot('6-preferences');
    await page.getByLabel('Vision-language models').uncheck();
    await page.getByLabel('Tokenization').check();
    await page.getByLabel('Papers per digest').fill('5');
    await page.getByLabel('On days when nothing matches, send me the top 3 trending papers anyway').check();
    await page.getByRole('button', { name: 'Save preferences' }).click();
    await page.getByText('Saved. Your next digest follows these preferences.').waitFor();
    await shot('7-preferences-saved');
    const changed = await readerRow(db.prisma, 'ada.lovelace@example.org');
    assert.deepEqual(changed?.topics.map((t) => t.topic.slug).sort(), ['speculative-decoding', 'tokenization']);
    assert.equal(changed?.maxPapers, 5);
    assert.equal(changed?.topWhenNoMatch, true);
    assert.deepEqual(changed?.keywords, ['world model']);

    // 5. The unsubscribe link of a digest: a page, then the button.
    await page.goto(services.links.unsubscribe(confirmed!.token));
    await page.getByRole('heading', { name: 'Unsubscribe from papermail?' }).waitFor();
    await shot('8-unsubscribe');
    assert.equal((await readerRow(db.prisma, 'ada.lovelace@example.org'))?.status, 'active', 'opening is not leaving');
    await page.getByRole('button', { name: 'Unsubscribe' }).click();
    await page.getByRole('heading', { name: 'You are unsubscribed' }).waitFor();
    await shot('9-unsubscribed');
    const left = await readerRow(db.prisma, 'ada.lovelace@example.org');
    assert.equal(left?.status, 'unsubscribed');
    assert.ok(left?.unsubscribedAt);

    // 6. Changed their mind.
    await page.getByRole('button', { name: 'Subscribe again' }).click();
    await page.getByText('Welcome back: your subscription is active again.').waitFor();
    await shot('10-resubscribed');
    assert.equal((await readerRow(db.prisma, 'ada.lovelace@example.org'))?.status, 'active');

    assert.deepEqual(consoleErrors, [], 'no CSP violations or other errors in the console');
    await context.close();
    await signupLoop.stop();
  });
});
