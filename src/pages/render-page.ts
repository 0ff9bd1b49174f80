// Server-rendered pages: templates/pages/NAME.hbs inside templates/pages/layout.hbs. Handlebars escapes every
// {{value}}, so text from readers and sources is safe; pages carry no scripts (the CSP forbids inline ones).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import Handlebars from 'handlebars';
import { projectRoot } from '../project-root.js';

const pagesDir = path.join(projectRoot, 'templates/pages');
const hb = Handlebars.create();
hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
hb.registerHelper('includes', (list: unknown, value: unknown) => Array.isArray(list) && list.includes(value));

const compiled = new Map<string, Handlebars.TemplateDelegate>();

function template(name: string): Handlebars.TemplateDelegate {
  let t = compiled.get(name);
  if (!t) {
    t = hb.compile(readFileSync(path.join(pagesDir, `${name}.hbs`), 'utf8'), { strict: false });
    compiled.set(name, t);
  }
  return t;
}

/** Renders templates/pages/NAME.hbs with `data` into the layout, titled `title`. */
export function renderPage(name: string, title: string, data: object = {}): string {
  const body = template(name)(data);
  return template('layout')({ title, body });
}

/** The stylesheet every page links to, served at /assets/style.css. */
export const stylesheet = readFileSync(path.join(projectRoot, 'public/style.css'), 'utf8');
