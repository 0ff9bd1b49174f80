// Renders one reader's digest from templates compiled once per process (MJML is far too slow to run per message).
import type { FeedbackLinks } from '../feedback/feedback-links.js';
import type { Links } from '../links.js';
import { compiledMjml, emailTemplateFrom, splitEmailTemplate } from '../mail/templates.js';
import {
  buildDigestEmail,
  type DigestEmailData,
  type DigestEmailInput,
  type DigestEmailPaper,
} from './digest-email.js';
import { asciiHtml } from './html-text.js';
import { createPaperFragments } from './paper-fragments.js';

export interface RenderedDigest {
  subject: string;
  html: string;
  text: string;
}

export type DigestRenderer = (input: DigestEmailInput) => RenderedDigest;

/** templates/digest.mjml as the digest is sent: minified. Compiled once where MJML runs, handed to render threads. */
export function compileDigestHtml(): Promise<string> {
  return compiledMjml('digest', { minify: true });
}

/**
 * Compiles templates/digest.mjml (minified) and digest.txt.hbs once, or takes `compiledHtml` as compileDigestHtml
 * made it; the returned function fills them. With `feedback`, an input that names its delivery gets "More like
 * this" / "Not for me" links under each paper. Each paper is rendered once per way emails show it
 * (paper-fragments.ts); templates without an `{{#each papers}}` block in both parts are rendered whole.
 */
export async function createDigestRenderer(
  links: Links,
  feedback?: FeedbackLinks,
  compiledHtml?: string,
): Promise<DigestRenderer> {
  const html = compiledHtml ?? (await compileDigestHtml());
  const split = splitEmailTemplate<DigestEmailData, DigestEmailPaper>('digest', html, 'papers');
  const fragments = split && createPaperFragments(split);
  const whole = fragments ? undefined : emailTemplateFrom<DigestEmailData>('digest', html);
  return (input) => {
    const data = buildDigestEmail(links, input, feedback);
    const parts = fragments
      ? fragments.render(data, input.papers)
      : { html: whole!.html(data), text: whole!.text(data) };
    // Paper text arrives escaped and ASCII already (PaperView.html); this catches the rest (a reader's keyword).
    return { subject: data.subject, html: asciiHtml(parts.html), text: parts.text };
  };
}
