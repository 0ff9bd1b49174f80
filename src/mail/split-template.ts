// A Handlebars template cut around its `{{#each LIST}}` block: what comes before it, each item, and what comes after,
// each compiled on its own. Rendering head + every item + tail gives what the whole template gives; the point is
// that a caller may keep an item's rendering and use it again (src/digest/paper-fragments.ts).
import type Handlebars from 'handlebars';

type Program = hbs.AST.Program;
type Render<T> = (context: T) => string;

export interface SplitTemplate<T, Item> {
  head: Render<T>;
  item: Render<Item>;
  tail: Render<T>;
}

/**
 * `source` cut at its top-level `{{#each LIST}}`, or undefined when it has none (or one with an `{{else}}`, which
 * rendering items one by one could not give): the caller then renders the whole template.
 *
 * The cut is made in Handlebars' own syntax tree, after its whitespace control (standalone `{{#each}}` lines and `~`
 * stripping), so each part holds exactly the text the whole template would have rendered around the items.
 */
export function splitAtEach<T, Item>(
  handlebars: typeof Handlebars,
  source: string,
  list: string,
  options: CompileOptions,
): SplitTemplate<T, Item> | undefined {
  const ast = handlebars.parse(source);
  const at = ast.body.findIndex((statement) => isEachOf(statement, list));
  if (at === -1) return undefined;
  const block = ast.body[at] as hbs.AST.BlockStatement;
  if (block.inverse) return undefined;
  const part = (body: hbs.AST.Statement[]): Program => ({ ...ast, body });
  const compile = <C>(program: Program) => handlebars.compile<C>(program, options) as Render<C>;
  return {
    head: compile<T>(part(ast.body.slice(0, at))),
    item: compile<Item>(block.program),
    tail: compile<T>(part(ast.body.slice(at + 1))),
  };
}

type CompileOptions = Parameters<typeof Handlebars.compile>[1];

function isEachOf(statement: hbs.AST.Statement, list: string): boolean {
  if (statement.type !== 'BlockStatement') return false;
  const block = statement as hbs.AST.BlockStatement;
  const [param] = block.params;
  return (
    block.path.original === 'each' &&
    block.params.length === 1 &&
    param?.type === 'PathExpression' &&
    (param as hbs.AST.PathExpression).original === list
  );
}
