// Reads every src file's imports (static, re-exports, dynamic `import()`, `import('x')` types) with
// the TypeScript parser, resolves the relative ones to src files and names each file's room.
// Run it to print the room-level graph: `node --import tsx test/architecture/import-graph.ts [--files]`.
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix, relative } from 'node:path';
import ts from 'typescript';

export const ROOT = join(import.meta.dirname, '..', '..');
const SRC = join(ROOT, 'src');

export interface ImportEdge {
  /** The importing file, `src/...` (posix). */
  from: string;
  /** The specifier as written. */
  specifier: string;
  /** The imported src file (`src/...`), or undefined for a package or `node:` module. */
  target: string | undefined;
  /** Only types cross: `import type`, `export type`, every specifier `type`, or an `import('x')` type. */
  typeOnly: boolean;
  /** A runtime `import(...)` call. */
  dynamic: boolean;
  /** `src/x.ts:12` for failure messages. */
  at: string;
}

/** The room of a src file: its first folder, `core` for the top-level files, `index` for the root entry, `onnx/template` apart. */
export function roomOf(file: string): string {
  const parts = file.split('/').slice(1);
  if (file === 'src/index.ts') return 'index';
  if (parts.length === 1) return 'core';
  if (parts[0] === 'onnx' && parts[1] === 'template') return 'onnx/template';
  return parts[0]!;
}

export function srcFiles(dir = SRC): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return srcFiles(path);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [relative(ROOT, path).split('\\').join('/')] : [];
  });
}

function resolveTarget(from: string, specifier: string, known: Set<string>): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = posix.normalize(posix.join(posix.dirname(from), specifier));
  const candidates = [base.replace(/\.js$/, '.ts'), `${base}.ts`, `${base}/index.ts`];
  const hit = candidates.find((c) => known.has(c));
  if (hit === undefined) throw new Error(`${from}: cannot resolve ${specifier}`);
  return hit;
}

function allTypeOnly(clause: ts.ImportClause | undefined): boolean {
  if (clause === undefined) return false; // `import 'x'` runs x
  if (clause.isTypeOnly) return true;
  if (clause.name !== undefined) return false;
  const bindings = clause.namedBindings;
  return bindings !== undefined && ts.isNamedImports(bindings) && bindings.elements.length > 0 && bindings.elements.every((e) => e.isTypeOnly);
}

function exportTypeOnly(node: ts.ExportDeclaration): boolean {
  if (node.isTypeOnly) return true;
  const clause = node.exportClause;
  return clause !== undefined && ts.isNamedExports(clause) && clause.elements.length > 0 && clause.elements.every((e) => e.isTypeOnly);
}

/** Every import of one file. */
export function importsOf(file: string, known: Set<string>): ImportEdge[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const edges: ImportEdge[] = [];
  const add = (node: ts.Node, specifier: string, typeOnly: boolean, dynamic: boolean) => {
    const line = source.getLineAndCharacterOfPosition(node.getStart(source)).line + 1;
    edges.push({ from: file, specifier, target: resolveTarget(file, specifier, known), typeOnly, dynamic, at: `${file}:${line}` });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node, node.moduleSpecifier.text, allTypeOnly(node.importClause), false);
    } else if (ts.isExportDeclaration(node) && node.moduleSpecifier !== undefined && ts.isStringLiteral(node.moduleSpecifier)) {
      add(node, node.moduleSpecifier.text, exportTypeOnly(node), false);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference) && ts.isStringLiteral(node.moduleReference.expression)) {
      add(node, node.moduleReference.expression.text, node.isTypeOnly, false);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const arg = node.arguments[0];
      // A computed specifier cannot be checked: name it so a rule can refuse it.
      add(node, arg !== undefined && ts.isStringLiteralLike(arg) ? arg.text : '<computed>', false, true);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument) && ts.isStringLiteral(node.argument.literal)) {
      add(node, node.argument.literal.text, true, false);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return edges;
}

/** Every import of every src file. */
export function importGraph(): ImportEdge[] {
  const files = srcFiles();
  const known = new Set(files);
  return files.flatMap((f) => importsOf(f, known));
}

/** The files an entry reaches through imports that exist at runtime (`typeOnly: false`), or through any import. */
export function reachable(entry: string, graph: ImportEdge[], opts: { types: boolean }): Set<string> {
  const seen = new Set<string>([entry]);
  const queue = [entry];
  while (queue.length > 0) {
    const file = queue.pop()!;
    for (const e of graph) {
      if (e.from !== file || e.target === undefined || seen.has(e.target)) continue;
      if (e.typeOnly && !opts.types) continue;
      seen.add(e.target);
      queue.push(e.target);
    }
  }
  return seen;
}

/** The package name of a bare specifier (`@scope/pkg/sub` -> `@scope/pkg`), `node:x` kept whole. */
export function packageOf(specifier: string): string {
  if (specifier.startsWith('node:')) return specifier;
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!;
}

if (process.argv[1] !== undefined && import.meta.filename === process.argv[1]) {
  const graph = importGraph();
  const rooms = new Map<string, Map<string, { runtime: number; types: number }>>();
  for (const e of graph) {
    const to = e.target === undefined ? packageOf(e.specifier) : roomOf(e.target);
    const from = roomOf(e.from);
    if (to === from) continue;
    const row = rooms.get(from) ?? new Map();
    const cell = row.get(to) ?? { runtime: 0, types: 0 };
    cell[e.typeOnly ? 'types' : 'runtime']++;
    row.set(to, cell);
    rooms.set(from, row);
  }
  for (const [from, row] of [...rooms].sort()) {
    const cells = [...row].sort().map(([to, c]) => `${to}${c.runtime === 0 ? ' (types)' : ''}`);
    console.log(`${from} -> ${cells.join(', ')}`);
  }
  if (process.argv.includes('--files')) for (const e of graph) console.log(`${e.at} ${e.specifier}${e.typeOnly ? ' [type]' : ''}${e.dynamic ? ' [dynamic]' : ''}`);
}
