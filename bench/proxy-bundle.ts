// The guard proxy for the proxy benchmarks, bundled from src/server by esbuild the way the
// published dist is (tsup), so the benchmark runs the code users run: under tsx every function
// also passes through a name-keeping wrapper, about a tenth of the proxy's CPU per request.
import { build } from 'esbuild';
import type { ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Bundles src/server/index.ts (packages stay external) and returns the bundle's file URL. */
export async function bundleServer(): Promise<string> {
  // Inside node_modules, so the bundle's package imports resolve from the project.
  const outfile = join(root, 'node_modules', '.cache', 'rewardgate-bench', 'server.mjs');
  await build({ entryPoints: [join(root, 'src/server/index.ts')], bundle: true, platform: 'node', format: 'esm', target: 'node22', packages: 'external', outfile, logLevel: 'silent' });
  return pathToFileURL(outfile).href;
}

/** Sends `message` (if any) to the proxy-server child and resolves with its first reply that has `key`. */
export function askChild<T>(child: ChildProcess, message: string, key: string): Promise<T> {
  return new Promise<T>((resolve) => {
    const on = (m: Record<string, unknown>) => {
      if (key in m) {
        child.off('message', on);
        resolve(m as T);
      }
    };
    child.on('message', on);
    if (message) child.send(message);
  });
}
