// The import rules of docs/architecture.md, checked on every src file's imports (static, dynamic
// and `import('x')` types). Each failure names the importing file and line and the import.
import { describe, expect, it } from 'vitest';
import { importGraph, packageOf, reachable, roomOf, type ImportEdge } from './import-graph.js';

const graph = importGraph();

// What each room may import besides itself (src rooms only; packages have their own rules below).
const ALLOWED: Record<string, readonly string[]> = {
  core: ['internal'],
  internal: ['core'],
  wire: ['core'],
  http: ['core', 'internal'],
  client: ['core', 'internal', 'http', 'wire', 'models'],
  models: ['core', 'internal', 'http', 'wire', 'client', 'onnx'],
  pipeline: ['core', 'internal'],
  middleware: ['core', 'internal', 'pipeline'],
  guards: ['core', 'internal', 'http', 'client'],
  scorers: ['core', 'internal', 'http', 'client', 'pipeline'],
  eval: ['core', 'internal', 'guards'],
  integrations: ['core', 'internal', 'wire', 'pipeline'],
  onnx: ['core', 'internal', 'guards', 'models', 'onnx/template'],
  'onnx/template': ['core', 'internal'],
  config: ['core', 'internal', 'http', 'client', 'models', 'pipeline', 'middleware', 'guards', 'scorers', 'onnx'],
  server: ['core', 'internal', 'http', 'wire', 'client', 'pipeline', 'integrations', 'config'],
  cli: ['core', 'internal', 'http', 'wire', 'client', 'models', 'pipeline', 'middleware', 'guards', 'scorers', 'eval', 'integrations', 'onnx', 'onnx/template', 'config', 'server'],
  index: ['core', 'http', 'wire', 'client', 'models', 'pipeline', 'middleware', 'guards', 'scorers', 'eval'],
};

// Type-only arrows allowed against the room table, each for a reason.
const TYPE_EXCEPTIONS: ReadonlyArray<{ from: string; to: string; why: string }> = [
  { from: 'src/errors.ts', to: 'src/pipeline/types.ts', why: 'GuardrailError.report is a typed Report' },
];

const OPTIONAL_PEERS = ['openai', 'ai', '@ai-sdk/provider', 'express', 'onnxruntime-node', '@opentelemetry/api'];
// The entries that run on edge runtimes and in browsers (package.json "exports").
const EDGE_ENTRIES = ['src/index.ts', 'src/integrations/wire.ts', 'src/integrations/next.ts', 'src/integrations/ai-sdk.ts', 'src/eval/index.ts', 'src/guards/taxonomy-entry.ts'];

const show = (e: ImportEdge) => `${e.at} imports '${e.specifier}'${e.typeOnly ? ' (types)' : ''}${e.dynamic ? ' (dynamic)' : ''}`;
const srcEdges = (g: ImportEdge[]) => g.filter((e): e is ImportEdge & { target: string } => e.target !== undefined);

/** The arrows between rooms that the table does not allow. */
export function roomViolations(g: ImportEdge[]): string[] {
  return srcEdges(g).flatMap((e) => {
    const from = roomOf(e.from);
    const to = roomOf(e.target);
    if (to === from || (ALLOWED[from] ?? []).includes(to)) return [];
    if (e.typeOnly && TYPE_EXCEPTIONS.some((x) => x.from === e.from && x.to === e.target)) return [];
    return [`${show(e)}: ${from} may import ${ALLOWED[from]?.join(', ') || 'nothing else'}, not ${to}`];
  });
}

/** The middleware that import another middleware's folder (each builds on the engine only). */
export function crossMiddleware(g: ImportEdge[]): string[] {
  const folder = (file: string) => file.split('/')[2];
  return srcEdges(g)
    .filter((e) => roomOf(e.from) === 'middleware' && roomOf(e.target) === 'middleware' && folder(e.from) !== folder(e.target))
    .map((e) => `${show(e)}: middleware/${folder(e.from)} imports middleware/${folder(e.target)}; share through src/pipeline or src/internal`);
}

/** Each cycle of static runtime imports, as `a -> b -> a` (types and import() do not load modules). */
export function runtimeCycles(g: ImportEdge[]): string[] {
  const next = new Map<string, string[]>();
  for (const e of srcEdges(g)) if (!e.typeOnly && !e.dynamic) next.set(e.from, [...(next.get(e.from) ?? []), e.target]);
  const cycles: string[] = [];
  const state = new Map<string, 'open' | 'done'>();
  const path: string[] = [];
  const visit = (file: string) => {
    state.set(file, 'open');
    path.push(file);
    for (const to of next.get(file) ?? []) {
      if (state.get(to) === 'open') cycles.push([...path.slice(path.indexOf(to)), to].join(' -> '));
      else if (!state.has(to)) visit(to);
    }
    path.pop();
    state.set(file, 'done');
  };
  for (const file of [...next.keys()].sort()) if (!state.has(file)) visit(file);
  return cycles;
}

describe('import rules (docs/architecture.md)', () => {
  it('every import resolves to a src file or a package, and no dynamic import is computed but the runtime override', () => {
    const computed = graph.filter((e) => e.specifier === '<computed>' && e.from !== 'src/onnx/runtime.ts');
    expect(computed.map(show)).toEqual([]);
    expect(graph.length).toBeGreaterThan(500);
  });

  it('each room imports only the rooms below it', () => {
    expect(roomViolations(graph)).toEqual([]);
  });

  it('the rules catch a wrong arrow: the engine importing a middleware', () => {
    const bad: ImportEdge = { from: 'src/pipeline/compose.ts', specifier: '../middleware/safety/safety.js', target: 'src/middleware/safety/safety.ts', typeOnly: false, dynamic: false, at: 'src/pipeline/compose.ts:1' };
    expect(roomViolations([bad])).toEqual([
      "src/pipeline/compose.ts:1 imports '../middleware/safety/safety.js': pipeline may import core, internal, not middleware",
    ]);
    // A type-only arrow is an arrow too, unless listed as an exception.
    expect(roomViolations([{ ...bad, typeOnly: true }])).toHaveLength(1);
  });

  it('middleware never import each other', () => {
    expect(crossMiddleware(graph)).toEqual([]);
    const bad: ImportEdge = { from: 'src/middleware/best-of-n/best-of-n.ts', specifier: '../safety/safety.js', target: 'src/middleware/safety/safety.ts', typeOnly: true, dynamic: false, at: 'src/middleware/best-of-n/best-of-n.ts:3' };
    expect(crossMiddleware([bad])[0]).toMatch(/best-of-n\.ts:3 imports '\.\.\/safety\/safety\.js' \(types\): middleware\/best-of-n imports middleware\/safety/);
  });

  it('no src file imports the root entry, and only models/onnx.ts of the chat models imports onnx/', () => {
    expect(srcEdges(graph).filter((e) => e.target === 'src/index.ts').map(show)).toEqual([]);
    const toOnnx = srcEdges(graph).filter((e) => roomOf(e.from) === 'models' && roomOf(e.target).startsWith('onnx') && e.from !== 'src/models/onnx.ts');
    expect(toOnnx.map(show)).toEqual([]);
  });

  it("the root entry's graph, types included, reaches no onnx/, server/, cli/, config/ or integrations/ file", () => {
    const files = reachable('src/index.ts', graph, { types: true });
    const far = [...files].filter((f) => ['onnx', 'onnx/template', 'server', 'cli', 'config', 'integrations'].includes(roomOf(f)));
    expect(far).toEqual([]);
    expect(files.has('src/pipeline/pipeline.ts')).toBe(true);
  });

  it('the edge entries import no node: module, not even for types', () => {
    for (const entry of EDGE_ENTRIES) {
      const files = reachable(entry, graph, { types: true });
      const node = graph.filter((e) => files.has(e.from) && e.specifier.startsWith('node:'));
      expect(node.map(show), entry).toEqual([]);
    }
  });

  it('optional peers are imported for types or with import() on first use, never statically', () => {
    const eager = graph.filter((e) => OPTIONAL_PEERS.includes(packageOf(e.specifier)) && !e.typeOnly && !e.dynamic);
    expect(eager.map(show)).toEqual([]);
  });

  it('ky is used by the transport only (src/http)', () => {
    expect(graph.filter((e) => packageOf(e.specifier) === 'ky' && roomOf(e.from) !== 'http').map(show)).toEqual([]);
  });

  it('no runtime import cycle between src files (static, non-type imports)', () => {
    expect(runtimeCycles(graph)).toEqual([]);
    const a: ImportEdge = { from: 'src/a.ts', specifier: './b.js', target: 'src/b.ts', typeOnly: false, dynamic: false, at: 'src/a.ts:1' };
    const b: ImportEdge = { from: 'src/b.ts', specifier: './a.js', target: 'src/a.ts', typeOnly: false, dynamic: false, at: 'src/b.ts:1' };
    expect(runtimeCycles([a, b])).toEqual(['src/a.ts -> src/b.ts -> src/a.ts']);
    expect(runtimeCycles([a, { ...b, typeOnly: true }])).toEqual([]);
  });

  it('the template layer (onnx/template) reads no files: no node:fs', () => {
    const fs = graph.filter((e) => roomOf(e.from) === 'onnx/template' && /^node:fs(\/|$)/.test(e.specifier));
    expect(fs.map(show)).toEqual([]);
  });
});

// ── zod/mini ─────────────────────────────────────────────────────────────────────────────────────
// Classic zod's methods and locale would land in every bundle that reaches the importing file.
const notZodMini = (specifier: string) => packageOf(specifier) === 'zod' && specifier !== 'zod/mini';

it('no src file imports classic zod, only zod/mini', () => {
  expect(graph.filter((e) => notZodMini(e.specifier)).map(show)).toEqual([]);
  const bad: ImportEdge = { from: 'src/types.ts', specifier: 'zod', target: undefined, typeOnly: false, dynamic: false, at: 'src/types.ts:1' };
  expect([bad, { ...bad, specifier: 'zod/v4' }, { ...bad, specifier: 'zod/v4/core' }].filter((e) => notZodMini(e.specifier))).toHaveLength(3);
});
