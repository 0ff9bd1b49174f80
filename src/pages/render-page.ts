// Server-rendered pages: templates/pages/NAME.hbs inside templates/pages/layout.hbs, and the dashboard's
// templates/admin/NAME.hbs inside templates/admin/layout.hbs. Handlebars escapes every {{value}}, so text from
// readers and sources is safe; pages carry no scripts (the CSP forbids inline ones).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { projectRoot } from '../project-root.js';

const templatesDir = path.join(projectRoot, 'templates');
const hb = Handlebars.create();
hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hb.registerHelper('includes', (list: unknown, value: unknown) => Array.isArray(list) && list.includes(value));

/** An ISO 8601 time as the dashboard shows it: "2026-07-31 07:00 UTC" (empty for none). */
hb.registerHelper('when', (iso: unknown) =>
  typeof iso === 'string' && iso.length >= 16 ? `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC` : '',
);
hb.registerPartial('pager', readFileSync(path.join(templatesDir, 'admin/pager.hbs'), 'utf8'));

const compiled = new Map<string, Handlebars.TemplateDelegate>();

/** `file` is relative to templates/, without .hbs: `pages/preferences`, `admin/day`. */
function template(file: string): Handlebars.TemplateDelegate {
  let t = compiled.get(file);
  if (!t) {
    t = hb.compile(readFileSync(path.join(templatesDir, `${file}.hbs`), 'utf8'), { strict: false });
    compiled.set(file, t);
  }
  return t;
}

/** Renders templates/pages/NAME.hbs with `data` into the layout, titled `title`. */
export function renderPage(name: string, title: string, data: object = {}): string {
  const body = template(`pages/${name}`)(data);
  return template('pages/layout')({ title, body });
}

/** Renders templates/admin/NAME.hbs into the dashboard's layout; `frame` fills the layout (who is signed in, nav). */
export function renderAdminPage(name: string, title: string, data: object, frame: object): string {
  const body = template(`admin/${name}`)(data);
  return template('admin/layout')({ ...frame, title, body });
}

/** The stylesheet every page links to, served at /assets/style.css. */
export const stylesheet = readFileSync(path.join(projectRoot, 'public/style.css'), 'utf8');

/** The dashboard's additions to it, served at /assets/admin.css. */
export const adminStylesheet = readFileSync(path.join(projectRoot, 'public/admin.css'), 'utf8');
