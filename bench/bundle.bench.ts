// Edge bundle size: what an app that imports from the root entry ships, bundled by esbuild for the
// browser (minified, tree-shaken, optional peers and node: built-ins external), in bytes and gzip
// bytes, with the largest inputs from esbuild's metafile. Goal: at most 40 KB gzip for the edge
// set (`createClient + pipeline + safety + bestOfN`). Sets:
// - client only: `createClient`, the smallest useful import;
// - the edge set, as shipped (the goal);
// - the edge set with zod's English locale in place of src/internal/issue-message.ts: the
//   alternative to our own issue messages (`z.config(en())` costs the same bytes), kept to show
//   why we format issues ourselves;
// - the whole root entry (every export), the upper bound.
// A line after the table names any src/ file that still pulls classic zod (`zod`, not `zod/mini`).
import { build, type Metafile, type Plugin } from 'esbuild';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const GOAL_GZIP = 40 * 1024;
// Optional peers and Node built-ins are not part of an edge bundle.
const external = ['node:*', 'openai', 'openai/*', 'ai', '@opentelemetry/api', 'onnxruntime-node', 'express'];
const EDGE = "export { createClient, pipeline, safety, bestOfN } from './src/index.ts';";

// The same module, with zod's English locale as the issue messages.
const zodLocale: Plugin = {
  name: 'zod-english-locale',
  setup(b) {
    b.onLoad({ filter: /[/\\]src[/\\]internal[/\\]issue-message\.ts$/ }, () => ({
      contents: "import en from 'zod/v4/locales/en.js';\nexport const issueMessage = en().localeError;",
      resolveDir: root,
      loader: 'ts',
    }));
  },
};

interface Bundle {
  bytes: number;
  gzip: number;
  metafile: Metafile;
}

async function bundle(entry: string, plugins: Plugin[] = []): Promise<Bundle> {
  const result = await build({
    stdin: { contents: entry, resolveDir: root, sourcefile: 'edge-entry.ts', loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    external,
    plugins,
  });
  const code = result.outputFiles[0]!.contents;
  return { bytes: code.byteLength, gzip: gzipSync(code, { level: 9 }).byteLength, metafile: result.metafile };
}

/** Bytes in the minified output per package (node_modules/<name>) or per src/ folder. */
function parts(metafile: Metafile): Array<[string, number]> {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const key = groupOf(relative(root, join(root, input)));
      sizes.set(key, (sizes.get(key) ?? 0) + bytesInOutput);
    }
  }
  return [...sizes].sort((a, b) => b[1] - a[1]);
}

function groupOf(path: string): string {
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)\/(?:(v4\/(?:classic|mini|core|locales))\/)?/.exec(path);
  if (pkg) return pkg[2] ? `${pkg[1]} (${pkg[2]})` : pkg[1]!;
  const src = /^src\/([^/]+)\//.exec(path);
  return src ? `src/${src[1]}` : path;
}

/** The src/ files of the bundle that import classic zod (the `zod` entry resolves to v4/classic). */
function classicImporters(metafile: Metafile): string[] {
  return Object.entries(metafile.inputs)
    .filter(([path, input]) => path.startsWith('src/') && input.imports.some((i) => /node_modules\/zod\/(index|v4\/classic\/)/.test(i.path)))
    .map(([path]) => path)
    .sort();
}

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

function table(header: string[], body: string[][]) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of body) console.log(line(r));
}

const edge = await bundle(EDGE);
const builds: Array<[string, Bundle]> = [
  ['createClient only', await bundle("export { createClient } from './src/index.ts';")],
  ['edge set (goal: 40 KB gzip)', edge],
  ['edge set, zod English locale', await bundle(EDGE, [zodLocale])],
  ['whole root entry', await bundle("export * from './src/index.ts';")],
];
console.log('esbuild, minified, browser, optional peers external; edge set = createClient + pipeline + safety + bestOfN');
const rows = builds.map(([name, b]) => [name, kb(b.bytes), kb(b.gzip), (b.gzip / edge.gzip).toFixed(3), (b.gzip / GOAL_GZIP).toFixed(2)]);
table(['build', 'minified', 'gzip', 'gzip / edge set', 'gzip / 40 KB goal'], rows);
const classic = classicImporters(edge.metafile);
console.log(`\nedge set: ${edge.gzip <= GOAL_GZIP ? 'within' : 'OVER'} the 40 KB gzip goal by ${kb(Math.abs(GOAL_GZIP - edge.gzip))}`);
if (classic.length) console.log(`classic zod still pulled by: ${classic.join(', ')}`);
console.log('\nlargest parts (edge set), minified bytes in the output:');
for (const [part, bytes] of parts(edge.metafile).slice(0, 10)) console.log(`  ${part.padEnd(44)} ${kb(bytes).padStart(9)}  ${((100 * bytes) / edge.bytes).toFixed(1)}%`);
