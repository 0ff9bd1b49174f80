// Renders one reader's digest from templates compiled once per process (MJML is far too slow to run per message).
import type { FeedbackLinks } from '../feedback/feedback-links.js';
import type { Links } from '../links.js';
import { compiledMjml, emailTemplateFrom, loadEmailTemplate } from '../mail/templates.js';
import { buildDigestEmail, type DigestEmailData, type DigestEmailInput } from './digest-email.js';
import { asciiHtml } from './html-text.js';

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
 * this" / "Not for me" links under each paper.
 */
export async function createDigestRenderer(
  links: Links,
  feedback?: FeedbackLinks,
  compiledHtml?: string,
): Promise<DigestRenderer> {
  const template =
    compiledHtml === undefined
      ? await loadEmailTemplate<DigestEmailData>('digest', { minify: true })
      : emailTemplateFrom<DigestEmailData>('digest', compiledHtml);
  return (input) => {
    const data = buildDigestEmail(links, input, feedback);
    // Paper text arrives escaped and ASCII already (PaperView.html); this catches the rest (a reader's keyword).
    return { subject: data.subject, html: asciiHtml(template.html(data)), text: template.text(data) };
  };
}
