import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { packageRoot } from './package-root.js';

const NAMES = ['tiny-chat', 'tiny-reward', 'tiny-guard'] as const;

/** The three demo models' folders. */
export type DemoModels = Record<(typeof NAMES)[number], string>;

/**
 * Finds the folder holding tiny-chat, tiny-reward and tiny-guard: `--models`, then
 * `REWARDGATE_MODELS`, then the package's own copy (`models/` in the published package,
 * `test/fixtures/models/` in a clone).
 */
export function findDemoModels(explicit: string | undefined, env: Record<string, string | undefined>): DemoModels | undefined {
  const root = packageRoot();
  const shipped = root ? [join(root, 'models'), join(root, 'test/fixtures/models')] : [];
  const candidates = explicit ? [explicit] : [env.REWARDGATE_MODELS, ...shipped];
  for (const dir of candidates) {
    if (!dir) continue;
    if (NAMES.every((n) => existsSync(join(dir, n, 'model.onnx')))) {
      return Object.fromEntries(NAMES.map((n) => [n, join(dir, n)])) as DemoModels;
    }
  }
  return undefined;
}
