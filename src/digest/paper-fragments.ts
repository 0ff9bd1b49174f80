// A digest's papers rendered once for every email that shows them the same way, not once per email. A hundred
// thousand readers of a 60-paper day see each paper in a few ways only (its "why", with or without feedback links);
// what differs from one email to the next within those, the paper's number and its two feedback links, is filled
// into the kept rendering. Rendering the papers was most of the templates' cost of a message.
import { randomBytes } from 'node:crypto';
import Handlebars from 'handlebars';
import type { SplitTemplate } from '../mail/split-template.js';
import type { DigestEmailData, DigestEmailPaper } from './digest-email.js';
import type { PaperView } from './paper-view.js';

export interface RenderedParts {
  html: string;
  text: string;
}

export interface PaperFragments {
  /** The email's HTML and text, as the whole templates would render `data`. */
  render(data: DigestEmailData, views: ReadonlyMap<string, PaperView>): RenderedParts;
}

type Split = SplitTemplate<DigestEmailData, DigestEmailPaper>;

/** The digest templates cut around `{{#each papers}}` (splitEmailTemplate in src/mail/templates.ts). */
export function createPaperFragments(templates: { html: Split; text: Split }): PaperFragments {
  const html = fragmentsOf(templates.html, Handlebars.Utils.escapeExpression);
  const text = fragmentsOf(templates.text, (url) => url);
  const papersOf = (data: DigestEmailData, views: ReadonlyMap<string, PaperView>, part: FragmentOf) => {
    let out = '';
    for (const paper of data.papers) out += part(views.get(paper.id)!, paper);
    return out;
  };
  return {
    render: (data, views) => ({
      html: templates.html.head(data) + papersOf(data, views, html) + templates.html.tail(data),
      text: templates.text.head(data) + papersOf(data, views, text) + templates.text.tail(data),
    }),
  };
}

type FragmentOf = (view: PaperView, paper: DigestEmailPaper) => string;

/** A paper as rendered, cut where each email puts its own values: pieces[0] + value(slots[0]) + pieces[1] + … */
interface Fragment {
  pieces: string[];
  slots: Slot[];
}

type Slot = 'number' | 'more' | 'less';

// Where an email's own values go in a kept rendering. Random per process, so no paper's text can hold them; letters
// and digits only, so HTML escaping leaves them as they are.
const marker = randomBytes(8).toString('hex');
const PLACEHOLDER = { number: `pmnumber${marker}`, more: `pmmore${marker}`, less: `pmless${marker}` };
const PLACEHOLDERS = new RegExp(`(${Object.values(PLACEHOLDER).join('|')})`);
const SLOT = new Map(Object.entries(PLACEHOLDER).map(([slot, placeholder]) => [placeholder, slot as Slot]));

/**
 * Renderings kept per paper view and way of showing it. At most MAX_WAYS per paper: its "why" follows readers'
 * keywords, and a paper matched by hundreds of them must not keep hundreds of renderings (past that its oldest way
 * is dropped). At most MAX_KEPT in all: past that the oldest paper's are dropped, so what a process keeps stays a
 * few MB whatever it renders (a render channel holds the papers of its last 16 digests, and a week's issue has
 * hundreds). The bench's 100,000 readers showed its 60 papers about 1,400 ways.
 */
const MAX_WAYS = 24;
const MAX_KEPT = 2000;

function fragmentsOf(template: Split, escapeUrl: (url: string) => string): FragmentOf {
  // In the order the papers were first shown: the oldest first.
  const kept = new Map<PaperView, Map<string, Fragment>>();
  let count = 0;
  const keep = (view: PaperView, ways: Map<string, Fragment>, way: string, fragment: Fragment) => {
    if (ways.size >= MAX_WAYS) {
      ways.delete(ways.keys().next().value!);
      count--;
    }
    ways.set(way, fragment);
    count++;
    for (const [oldest, itsWays] of kept) {
      if (count <= MAX_KEPT || oldest === view) break;
      kept.delete(oldest);
      count -= itsWays.size;
    }
  };
  return (view, paper) => {
    // Everything of an email's paper that is not the view's own, but for its number and links.
    const way = `${paper.moreUrl === undefined ? '' : 'f'}\u0000${paper.why.join('\u0000')}`;
    let ways = kept.get(view);
    if (!ways) {
      ways = new Map();
      kept.set(view, ways);
    }
    let fragment = ways.get(way);
    if (!fragment) {
      fragment = cut(template.item(withPlaceholders(paper)));
      keep(view, ways, way, fragment);
    }
    let out = fragment.pieces[0]!;
    for (let i = 0; i < fragment.slots.length; i++) out += fill(fragment.slots[i]!, paper) + fragment.pieces[i + 1]!;
    return out;
  };

  function fill(slot: Slot, paper: DigestEmailPaper): string {
    if (slot === 'number') return String(paper.number);
    return escapeUrl((slot === 'more' ? paper.moreUrl : paper.lessUrl)!);
  }
}

/**
 * The paper with placeholders for what each email fills in. The number only ever prints (it is never 0, so an
 * `{{#if number}}` would read the placeholder the same way).
 */
function withPlaceholders(paper: DigestEmailPaper): DigestEmailPaper {
  const number = PLACEHOLDER.number as unknown as number;
  if (paper.moreUrl === undefined) return { ...paper, number };
  return { ...paper, number, moreUrl: PLACEHOLDER.more, lessUrl: PLACEHOLDER.less };
}

function cut(rendered: string): Fragment {
  const parts = rendered.split(PLACEHOLDERS);
  const pieces: string[] = [];
  const slots: Slot[] = [];
  parts.forEach((part, i) => {
    if (i % 2 === 0) pieces.push(part);
    else slots.push(SLOT.get(part)!);
  });
  return { pieces, slots };
}
