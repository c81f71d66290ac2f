// Edge bundle size: what an app that imports `createClient`, `pipeline`, `safety` and `bestOfN`
// from the root entry ships, bundled by esbuild for the browser (minified, tree-shaken), in bytes
// and gzip bytes, with the largest inputs from esbuild's metafile. Goal: at most 40 KB gzip.
// Three estimates beside the real build, size only (they are not run):
// - `import * as z`: src/ read with `import { z } from 'zod'` rewritten to `import * as z from
//   'zod'`. zod's `z` is a namespace re-exported as a value, which esbuild cannot tree-shake, so
//   the named import pulls in all of zod, every locale included.
// - `zod/mini`: `zod` aliased to `zod/mini` (our schemas still call classic methods that zod/mini
//   lacks, so that bundle would not run), with either import form, plus zod's English locale.
import { build, type Metafile, type Plugin } from 'esbuild';
import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const GOAL_GZIP = 40 * 1024;
// Optional peers and Node built-ins are not part of an edge bundle.
const external = ['node:*', 'openai', 'openai/*', 'ai', '@opentelemetry/api', 'onnxruntime-node', 'express'];
const entry = "export { createClient, pipeline, safety, bestOfN } from './src/index.ts';";
// zod/mini loads no locale: English messages (what ValidationError shows) are one config call.
// (Relative paths: the `zod` alias would rewrite `zod/...` specifiers too.)
const miniEntry = `${entry}\nimport * as z from './node_modules/zod/v4/mini/index.js';\nimport en from './node_modules/zod/v4/locales/en.js';\nz.config(en());`;

const namespaceImport: Plugin = {
  name: 'zod-namespace-import',
  setup(b) {
    b.onLoad({ filter: /[/\\]src[/\\].*\.ts$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      return { contents: text.replaceAll("import { z } from 'zod';", "import * as z from 'zod';"), loader: 'ts' };
    });
  },
};

async function bundle(alias: Record<string, string>, plugins: Plugin[] = []): Promise<{ bytes: number; gzip: number; metafile: Metafile }> {
  const result = await build({
    stdin: { contents: alias.zod ? miniEntry : entry, resolveDir: root, sourcefile: 'edge-entry.ts', loader: 'ts' },
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    write: false,
    metafile: true,
    logLevel: 'silent',
    external,
    alias,
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

const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

function table(header: string[], body: string[][]) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  console.log(line(header));
  console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of body) console.log(line(r));
}

const builds = [
  ['as shipped', await bundle({})],
  ['import * as z from zod (estimate)', await bundle({}, [namespaceImport])],
  ['zod/mini, import { z } (estimate)', await bundle({ zod: 'zod/mini' })],
  ['zod/mini, import * as z (estimate)', await bundle({ zod: 'zod/mini' }, [namespaceImport])],
] as const;
const shipped = builds[0][1];
console.log('bundle of createClient + pipeline + safety + bestOfN: esbuild, minified, browser, optional peers external');
const rows = builds.map(([name, b]) => [name, kb(b.bytes), kb(b.gzip), (b.gzip / shipped.gzip).toFixed(3), (b.gzip / GOAL_GZIP).toFixed(2)]);
table(['build', 'minified', 'gzip', 'gzip / shipped', 'gzip / 40 KB goal'], rows);
for (const [name, build] of [builds[0], builds[1], builds[3]]) {
  console.log(`\nlargest parts (${name}), minified bytes in the output:`);
  for (const [part, bytes] of parts(build.metafile).slice(0, 8)) console.log(`  ${part.padEnd(44)} ${kb(bytes).padStart(9)}  ${((100 * bytes) / build.bytes).toFixed(1)}%`);
}
