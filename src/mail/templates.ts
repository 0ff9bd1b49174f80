// Email templates: templates/NAME.mjml (HTML, with Handlebars placeholders) and templates/NAME.txt.hbs (the plain
// text part, written on its own rather than converted from HTML). MJML costs tens of milliseconds per compile and
// blocks the event loop, so each template is compiled once, at first use, into a Handlebars function; filling it per
// reader costs microseconds.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { startThread } from '../thread-entry.js';
import { templatesDir } from './mjml-compile.js';
import { type SplitTemplate, splitAtEach } from './split-template.js';

export { collapseWhitespace, templatesDir } from './mjml-compile.js';

/** The Handlebars instance every email template is compiled with (helpers registered once). */
export const handlebars = Handlebars.create();

export interface EmailTemplate<T> {
  html(data: T): string;
  text(data: T): string;
}

/**
 * Compiles templates/NAME.mjml (compileMjmlHere, in mjml-compile.ts, has the conventions) in a thread that exits
 * once it has: no thread of papermail keeps MJML loaded.
 */
export function compileMjml(name: string, options: { minify?: boolean } = {}): Promise<string> {
  return new Promise((resolve, reject) => {
    const worker = startThread(import.meta.url, 'mjml-thread', {
      workerData: { name, minify: options.minify === true },
    });
    worker.once('message', resolve);
    worker.once('error', reject);
    // After a message or an error this changes nothing: a promise settles once.
    worker.once('exit', (code) =>
      reject(new Error(`templates/${name}.mjml: the compile thread exited (code ${code})`)),
    );
  });
}

const htmlCache = new Map<string, Promise<string>>();
const cache = new Map<string, Promise<EmailTemplate<unknown>>>();
const cacheKey = (name: string, options: { minify?: boolean }) => `${name}:${options.minify ? 'min' : 'full'}`;

/**
 * templates/NAME.mjml as compileMjml makes it, compiled once per process: the templates loaded here and the HTML
 * handed to render and sender threads come from the same compile.
 */
export function compiledMjml(name: string, options: { minify?: boolean } = {}): Promise<string> {
  const key = cacheKey(name, options);
  let html = htmlCache.get(key);
  if (!html) {
    html = compileMjml(name, options);
    htmlCache.set(key, html);
  }
  return html;
}

/**
 * The compiled template NAME, compiled once per process. `minify` collapses the layout whitespace at compile time
 * (a quarter of MJML's output): worth it for bulk mail, where every kilobyte is paid once per message.
 */
export function loadEmailTemplate<T>(name: string, options: { minify?: boolean } = {}): Promise<EmailTemplate<T>> {
  const key = cacheKey(name, options);
  let entry = cache.get(key);
  if (!entry) {
    entry = (async () => emailTemplateFrom(name, await compiledMjml(name, options)))();
    cache.set(key, entry);
  }
  return entry as Promise<EmailTemplate<T>>;
}

/** Template NAME from its HTML as compileMjml made it (perhaps in another thread) and its text part. */
export function emailTemplateFrom<T>(name: string, compiledHtml: string): EmailTemplate<T> {
  const html = handlebars.compile(compiledHtml, HTML_OPTIONS);
  const text = handlebars.compile(textTemplateSource(name), TEXT_OPTIONS);
  return { html, text } as EmailTemplate<T>;
}

/**
 * Template NAME cut around its `{{#each LIST}}` block (split-template.ts), its HTML and its text part, compiled as
 * emailTemplateFrom compiles them; undefined unless both parts have such a block.
 */
export function splitEmailTemplate<T, Item>(
  name: string,
  compiledHtml: string,
  list: string,
): { html: SplitTemplate<T, Item>; text: SplitTemplate<T, Item> } | undefined {
  const html = splitAtEach<T, Item>(handlebars, compiledHtml, list, HTML_OPTIONS);
  const text = splitAtEach<T, Item>(handlebars, textTemplateSource(name), list, TEXT_OPTIONS);
  return html && text ? { html, text } : undefined;
}

const HTML_OPTIONS = { strict: false, data: false, knownHelpersOnly: true };
// Plain text is not HTML: nothing to escape there.
const TEXT_OPTIONS = { noEscape: true, data: false, knownHelpersOnly: true };

function textTemplateSource(name: string): string {
  const textFile = path.join(templatesDir, `${name}.txt.hbs`);
  if (!existsSync(textFile)) throw new Error(`templates/${name}.txt.hbs is missing: every email needs a text part`);
  return readFileSync(textFile, 'utf8');
}
