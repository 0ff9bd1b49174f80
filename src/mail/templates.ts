// Email templates: templates/NAME.mjml (HTML, with Handlebars placeholders) and templates/NAME.txt.hbs (the plain
// text part, written on its own rather than converted from HTML). MJML costs tens of milliseconds per compile and
// blocks the event loop, so each template is compiled once, at first use, into a Handlebars function; filling it per
// reader costs microseconds.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { projectRoot } from '../db/migrate.js';

export const templatesDir = path.join(projectRoot, 'templates');

/** The Handlebars instance every email template is compiled with (helpers registered once). */
export const handlebars = Handlebars.create();

export interface EmailTemplate<T> {
  html(data: T): string;
  text(data: T): string;
}

/**
 * Compiles templates/NAME.mjml (with its mj-include partials from templates/partials) to HTML that still holds
 * Handlebars placeholders. The convention: `{{value}}` may sit anywhere text or attribute values go; block tags
 * (`{{#each}}`, `{{#if}}`, `{{/each}}` …) between MJML components must be wrapped in `<mj-raw>`, or MJML drops them.
 * Inside the HTML of an mj-text they need no wrapping.
 */
export async function compileMjml(name: string, options: { minify?: boolean } = {}): Promise<string> {
  // Loaded on first compile, not with this module: MJML and its HTML and CSS tooling take ~50 MB of a thread's
  // memory, and a render thread, handed the compiled digest (emailTemplateFrom), never needs them.
  const { default: mjml2html } = await import('mjml');
  const file = path.join(templatesDir, `${name}.mjml`);
  const result = await mjml2html(readFileSync(file, 'utf8'), {
    filePath: file,
    // mjml 5 ignores mj-include unless told otherwise; partials may only come from templates/.
    ignoreIncludes: false,
    includePath: templatesDir,
    // No web fonts: MJML would otherwise link Google Fonts for any family it knows (Roboto) in the font stack.
    fonts: {},
    validationLevel: 'strict',
    // MJML's own minify (htmlnano + cssnano) takes ~3 s to load per process and saves only ~1% more than
    // collapseWhitespace below (measured on templates/digest.mjml: 8,522 vs 8,607 bytes).
    minify: false,
    keepComments: false,
  });
  if (result.errors?.length) {
    throw new Error(`templates/${name}.mjml: ${result.errors.map((e) => e.formattedMessage).join('; ')}`);
  }
  return options.minify ? collapseWhitespace(result.html) : result.html;
}

/**
 * A minifier for MJML output, which is mostly indentation: whitespace holding a line break between two tags becomes
 * that one line break (the same to HTML, and it keeps lines short enough to send as 7bit); any other run of
 * whitespace becomes one space.
 */
export function collapseWhitespace(html: string): string {
  return html
    .replace(/>\s*\n\s*</g, '>\n<')
    .replace(/[ \t]*\n[ \t\n]*/g, '\n')
    .replace(/[ \t]{2,}/g, ' ');
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
  const html = handlebars.compile(compiledHtml, { strict: false });
  const textFile = path.join(templatesDir, `${name}.txt.hbs`);
  if (!existsSync(textFile)) throw new Error(`templates/${name}.txt.hbs is missing: every email needs a text part`);
  // Plain text is not HTML: nothing to escape there.
  const text = handlebars.compile(readFileSync(textFile, 'utf8'), { noEscape: true });
  return { html, text } as EmailTemplate<T>;
}
