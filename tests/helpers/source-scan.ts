import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';

/**
 * Reads the TypeScript sources with the compiler's parser (not regular expressions, so
 * comments, strings and regex literals never count) and reports what the architecture test
 * looks for: imports, Kysely query building and dialect sniffing, each with file and line.
 */

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));

export interface Finding {
  file: string;
  line: number;
  what: string;
}

export interface ImportRef {
  file: string;
  line: number;
  /** The specifier as written. */
  spec: string;
  /** Repository-relative path of the imported file, for relative specifiers. */
  target: string | null;
  typeOnly: boolean;
}

export interface SourceFile {
  /** Repository-relative, with forward slashes. */
  file: string;
  sf: ts.SourceFile;
}

export function listSources(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(join(ROOT, dir), { withFileTypes: true })) {
    const p = `${dir}/${e.name}`;
    if (e.isDirectory()) out.push(...listSources(p));
    else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
  }
  return out.sort();
}

export function parse(file: string, text = readFileSync(join(ROOT, file), 'utf8')): SourceFile {
  return { file, sf: ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS) };
}

function lineOf(src: SourceFile, node: ts.Node): number {
  return src.sf.getLineAndCharacterOfPosition(node.getStart(src.sf)).line + 1;
}

function walk(node: ts.Node, visit: (n: ts.Node) => void): void {
  visit(node);
  node.forEachChild((c) => walk(c, visit));
}

function resolveSpec(file: string, spec: string): string | null {
  if (!spec.startsWith('.')) return null;
  return relative(ROOT, resolve(ROOT, dirname(file), spec)).split('\\').join('/');
}

/** Every import and re-export (static, and dynamic `import('…')`), type-only ones marked. */
export function importsOf(src: SourceFile): ImportRef[] {
  const out: ImportRef[] = [];
  const add = (node: ts.Node, spec: string, typeOnly: boolean) => out.push({ file: src.file, line: lineOf(src, node), spec, target: resolveSpec(src.file, spec), typeOnly });
  walk(src.sf, (n) => {
    if (ts.isImportDeclaration(n) && ts.isStringLiteral(n.moduleSpecifier)) {
      const c = n.importClause;
      const named = c?.namedBindings && ts.isNamedImports(c.namedBindings) ? c.namedBindings.elements : undefined;
      const typeOnly = !!c && (c.isTypeOnly || (!c.name && !!named && named.length > 0 && named.every((e) => e.isTypeOnly)));
      add(n, n.moduleSpecifier.text, typeOnly);
    } else if (ts.isExportDeclaration(n) && n.moduleSpecifier && ts.isStringLiteral(n.moduleSpecifier)) {
      add(n, n.moduleSpecifier.text, n.isTypeOnly);
    } else if (ts.isCallExpression(n) && n.expression.kind === ts.SyntaxKind.ImportKeyword && n.arguments[0] && ts.isStringLiteral(n.arguments[0])) {
      add(n, n.arguments[0].text, false);
    }
  });
  return out;
}

/** Methods that start or run a Kysely query (on a Kysely instance, a transaction or a builder). */
const QUERY_METHODS = new Set([
  'selectFrom', 'insertInto', 'updateTable', 'deleteFrom', 'replaceInto', 'mergeInto', 'selectNoFrom', 'with', 'withRecursive',
  'execute', 'executeTakeFirst', 'executeTakeFirstOrThrow', 'executeQuery', 'stream', 'transaction', 'connection',
]);
/** Helpers of Kysely's `sql` tag that build raw SQL. */
const SQL_HELPERS = new Set(['raw', 'ref', 'lit', 'table', 'id', 'join', 'val', 'value']);

/** Kysely query building: builder methods, the `sql` tag and its helpers, value imports of 'kysely'. */
export function queriesIn(src: SourceFile): Finding[] {
  const out: Finding[] = [];
  const add = (n: ts.Node, what: string) => out.push({ file: src.file, line: lineOf(src, n), what });
  walk(src.sf, (n) => {
    if (ts.isPropertyAccessExpression(n) && QUERY_METHODS.has(n.name.text) && ts.isCallExpression(n.parent) && n.parent.expression === n) {
      add(n, `.${n.name.text}()`);
    } else if (ts.isTaggedTemplateExpression(n) && ts.isIdentifier(n.tag) && n.tag.text === 'sql') {
      add(n, 'sql`…`');
    } else if (ts.isPropertyAccessExpression(n) && ts.isIdentifier(n.expression) && n.expression.text === 'sql' && SQL_HELPERS.has(n.name.text)) {
      add(n, `sql.${n.name.text}`);
    }
  });
  for (const i of importsOf(src)) {
    if (i.spec === 'kysely' && !i.typeOnly) out.push({ file: i.file, line: i.line, what: "a value import from 'kysely' (only `import type` is fine here)" });
  }
  return out;
}

/** Names that ask which database is in use. */
export const DIALECT_SNIFFS = new Set(['isPostgres', 'dialectOf', 'PostgresAdapter', 'SqliteAdapter', 'PostgresDialect', 'SqliteDialect', 'getExecutor', 'dbKind']);

export function dialectSniffsIn(src: SourceFile): Finding[] {
  const out: Finding[] = [];
  walk(src.sf, (n) => {
    if (ts.isIdentifier(n) && DIALECT_SNIFFS.has(n.text)) out.push({ file: src.file, line: lineOf(src, n), what: n.text });
  });
  return out;
}

export function listFindings(f: Finding[]): string {
  return f.map((x) => `  ${x.file}:${x.line}  ${x.what}`).join('\n');
}
