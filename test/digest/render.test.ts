import assert from 'node:assert/strict';
import { statSync } from 'node:fs';
import { describe, it } from 'node:test';
import { createLogger } from '../../src/logger.js';
import { createServices } from '../../src/services.js';
import { testConfig } from '../helpers/app.js';
import { launchBrowser, screenshotPath } from '../helpers/browser.js';
import { createTestDatabase } from '../helpers/database.js';
import { startSmtpSink } from '../helpers/smtp-sink.js';
import { loadFixturePapers } from './fixture-papers.js';
import { createReaders } from './readers.js';

const DAY = '2026-07-31';
const EVIL_TITLE = '<script>alert("x")</script> Jailbreaking & <b>bold</b> claims';

function has(haystack: string, needle: string) {
  assert.ok(haystack.includes(needle), `missing: ${needle}`);
}
function hasNot(haystack: string, needle: string) {
  assert.ok(!haystack.includes(needle), `should not contain: ${needle}`);
}

/** A full digest of the real 2026-07-31 list (plus one hostile paper), sent to the SMTP sink. */
async function sendRealDigests() {
  const db = await createTestDatabase();
  const sink = await startSmtpSink();
  const papers = await loadFixturePapers(db.prisma, DAY);
  await db.prisma.paper.create({
    data: {
      id: '2607.99999',
      title: EVIL_TITLE,
      authors: ['Mallory <mallory@example.org>', 'Eve', 'Trudy', 'Oscar'],
      abstract: 'An abstract with <img src=x onerror=alert(1)> inside & more.',
      codeUrl: 'javascript:alert(1)',
      projectUrl: 'https://example.org/project?a=1&b=2',
    },
  });
  await db.prisma.listing.create({
    data: { date: new Date(`${DAY}T00:00:00Z`), paperId: '2607.99999', source: 'file', upvotes: 500, rank: 99 },
  });
  const readers = await createReaders(db.prisma, [
    { email: 'everything@example.org', maxPapers: 10 },
    { email: 'agents@example.org', topics: ['agents', 'image-video-generation'], keywords: ['world model'] },
  ]);
  const config = testConfig({ SMTP_URL: sink.url, PUBLIC_URL: 'https://papers.example.org' }, db);
  const services = createServices({ config, log: createLogger('silent'), prisma: db.prisma });
  const run = await services.digests.runDay(DAY);
  await services.close();
  assert.equal(run.status, 'done');
  return { sink, papers, readers, run };
}

describe('the digest email', () => {
  it('carries every part a reader needs, escapes paper text, and stays under 60 KB for ten papers', async () => {
    const { sink, papers, readers } = await sendRealDigests();
    const [everything] = sink.to('everything@example.org');
    assert.ok(everything);
    // Non-ASCII characters travel as numeric references (the HTML part is 7bit): read them back as characters.
    const html = String(everything.parsed.html).replace(/&#(\d+);/g, (_, n) => String.fromCodePoint(Number(n)));
    const text = everything.parsed.text ?? '';
    assert.match(everything.raw, /Content-Type: text\/html; charset=utf-8\r\nContent-Transfer-Encoding: 7bit/);

    assert.equal(everything.parsed.subject, '10 trending papers — Jul 31');
    assert.ok(Buffer.byteLength(html) < 60 * 1024, `HTML is ${Buffer.byteLength(html)} bytes`);

    // The top paper of the real list (second here, after the hostile one), with all its links.
    const top = papers[0]!;
    assert.equal(top.id, '2607.28624');
    has(html, 'href="https://huggingface.co/papers/2607.28624"');
    has(html, 'href="https://arxiv.org/abs/2607.28624"');
    has(html, 'href="https://arxiv.org/pdf/2607.28624"');
    has(html, 'href="https://github.com/yaoyao-jpg/PhiZero"');
    has(html, 'href="https://phi-zero.github.io/"');
    has(html, 'src="https://cdn-thumbnails.huggingface.co/social-thumbnails/papers/2607.28624.png"');
    has(html, 'Shuyao Shang, Yuqi Wang, Ruopeng Gao et al.');
    has(html, '▲&nbsp;145');
    has(html, top.title);
    has(text, `2. ${top.title}`);
    has(text, `1. ${EVIL_TITLE}`);
    has(text, 'https://arxiv.org/pdf/2607.28624');

    // Hostile paper text is shown as text, never as markup or a script link.
    has(html, '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Jailbreaking &amp; &lt;b&gt;bold&lt;/b&gt; claims');
    hasNot(html, '<script');
    hasNot(html, '<b>bold');
    hasNot(html, 'onerror=alert');
    hasNot(html, 'javascript:');
    // A real project link keeps its query, entity-encoded as HTML attributes want it.
    assert.match(html, /href="https:\/\/example\.org\/project\?a(=|&#x3D;)1&amp;b(=|&#x3D;)2"/);
    assert.ok(text.includes(EVIL_TITLE), 'the text part shows the title as it is');

    // Footer: why, preferences, one-click unsubscribe, web version.
    const token = readers[0]!.token;
    assert.match(text, /You get this because you subscribed to papermail's daily digest/);
    has(html, `href="https://papers.example.org/preferences/${token}"`);
    has(html, `href="https://papers.example.org/unsubscribe/${token}"`);
    // The web version is the reader's own view of the day, with the feedback links under their papers.
    assert.match(html, /href="https:\/\/papers\.example\.org\/digests\/2026-07-31\?view(=|&#x3D;)[\w-]+\.[\w-]+"/);
    has(html, '>More like this</a>');
    has(text, 'Not for me:     https://papers.example.org/feedback/');
    assert.equal(everything.header('list-unsubscribe'), `<https://papers.example.org/unsubscribe/${token}>`);
    assert.equal(everything.header('list-unsubscribe-post'), 'List-Unsubscribe=One-Click');
    assert.match(everything.header('list-id') ?? '', /<papermail\.papers\.example\.org>$/);
    has(html, 'Friday, July 31, 2026');
  });

  it("names the reader's interests in the subject and on each paper", async () => {
    const { sink } = await sendRealDigests();
    const [mail] = sink.to('agents@example.org');
    assert.ok(mail);
    assert.match(mail.parsed.subject ?? '', /^\d+ new papers? on [^—]+ — Jul 31$/);
    assert.match(mail.parsed.subject ?? '', /LLM agents|image and video generation|world model/);
    const html = String(mail.parsed.html);
    assert.match(html, /<span class="t">(LLM agents|Image and video generation|world model)<\/span>/);
    assert.match(mail.parsed.text ?? '', /matched: (LLM agents|Image and video generation|world model)/);
    assert.match(mail.parsed.text ?? '', /for LLM agents, Image and video generation and world model\./);
  });

  it('renders in a browser at desktop and phone widths without sideways scrolling', async () => {
    const { sink } = await sendRealDigests();
    const html = String(sink.to('everything@example.org')[0]!.parsed.html);
    const browser = await launchBrowser();
    // Thumbnails come from the internet, which tests do not use: serve a stand-in picture of the usual shape.
    const maker = await browser.newPage({ viewport: { width: 1200, height: 630 } });
    await maker.setContent('<body style="margin:0;background:linear-gradient(135deg,#f9d5d3,#c7d7f5)"></body>');
    const thumbnail = await maker.screenshot({ type: 'png' });
    await maker.close();
    for (const [name, width] of [
      ['digest-desktop', 1024],
      ['digest-phone', 375],
    ] as const) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.route('**/*', (route) =>
        route.request().url().endsWith('.png')
          ? route.fulfill({ status: 200, contentType: 'image/png', body: thumbnail })
          : route.abort(),
      );
      await page.setContent(html, { waitUntil: 'load' });
      const scrollWidth = await page.evaluate<number>('document.documentElement.scrollWidth');
      assert.ok(scrollWidth <= width, `${name}: the page is ${scrollWidth}px wide in a ${width}px window`);
      const footerVisible = await page.getByText('Unsubscribe').isVisible();
      assert.ok(footerVisible, 'the unsubscribe link is visible');
      const file = screenshotPath(name);
      await page.screenshot({ path: file, fullPage: true });
      assert.ok(statSync(file).size > 20_000, `${file} has content`);
      await page.close();
    }
  });
});
