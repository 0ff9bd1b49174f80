// Email templates: templates/NAME.mjml (HTML, with Handlebars placeholders) and templates/NAME.txt.hbs (the plain
// text part, written on its own rather than converted from HTML). MJML costs tens of milliseconds per compile and
// blocks the event loop, so each template is compiled once, at first use, into a Handlebars function; filling it per
// reader costs microseconds.
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import mjml2html from 'mjml';
import { projectRoot } from '../db/migrate.js';

export const templatesDir = path.join(projectRoot, 'templates');

/** The Handlebars instance every email template is compiled with (helpers registered once). */
export const handlebars = Handlebars.create();

export interface EmailTemplate<T> {
  html(data: T): string;
  text(data: T): string;
}

/** Compiles templates/NAME.mjml (with its mj-include partials) to HTML. Handlebars block tags must sit in mj-raw. */
export async function compileMjml(name: string, options: { minify?: boolean } = {}): Promise<string> {
  const file = path.join(templatesDir, `${name}.mjml`);
  const result = await mjml2html(readFileSync(file, 'utf8'), {
    filePath: file,
    validationLevel: 'strict',
    minify: options.minify ?? false,
    keepComments: false,
  });
  if (result.errors?.length) {
    throw new Error(`templates/${name}.mjml: ${result.errors.map((e) => e.formattedMessage).join('; ')}`);
  }
  return result.html;
}

const cache = new Map<string, Promise<EmailTemplate<unknown>>>();

/** The compiled template NAME, compiled once per process. */
export function loadEmailTemplate<T>(name: string, options: { minify?: boolean } = {}): Promise<EmailTemplate<T>> {
  let entry = cache.get(name);
  if (!entry) {
    entry = (async () => {
      const html = handlebars.compile(await compileMjml(name, options), { strict: false });
      const textFile = path.join(templatesDir, `${name}.txt.hbs`);
      if (!existsSync(textFile)) throw new Error(`templates/${name}.txt.hbs is missing: every email needs a text part`);
      // Plain text is not HTML: nothing to escape there.
      const text = handlebars.compile(readFileSync(textFile, 'utf8'), { noEscape: true });
      return { html, text } as EmailTemplate<unknown>;
    })();
    cache.set(name, entry);
  }
  return entry as Promise<EmailTemplate<T>>;
}
