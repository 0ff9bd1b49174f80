// Compiling an MJML template to HTML. Runs in a short-lived thread of its own (mjml-thread.ts, started by
// compileMjml in templates.ts): MJML and its HTML and CSS tooling take ~40 MB of a thread's memory, which a thread
// that exits gives back, so the process that sends for hours keeps only the compiled HTML.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../project-root.js';

export const templatesDir = path.join(projectRoot, 'templates');

/**
 * Compiles templates/NAME.mjml (with its mj-include partials from templates/partials) to HTML that still holds
 * Handlebars placeholders. The convention: `{{value}}` may sit anywhere text or attribute values go; block tags
 * (`{{#each}}`, `{{#if}}`, `{{/each}}` …) between MJML components must be wrapped in `<mj-raw>`, or MJML drops them.
 * Inside the HTML of an mj-text they need no wrapping.
 */
export async function compileMjmlHere(name: string, options: { minify?: boolean } = {}): Promise<string> {
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
