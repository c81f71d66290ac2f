// The public surface: the names DESIGN.md promises are where it says, every subpath is wired the
// same way in package.json, tsup and typedoc, and the names moved out of the root stay out of it.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import tsupConfig from '../../tsup.config.js';
import * as root from '../../src/index.js';
import * as evalEntry from '../../src/eval/index.js';
import * as taxonomy from '../../src/guards/taxonomy-entry.js';
import * as wire from '../../src/integrations/wire.js';
import * as types from '../../src/types.js';

const repo = join(import.meta.dirname, '..', '..');
const pkg = JSON.parse(readFileSync(join(repo, 'package.json'), 'utf8')) as { exports: Record<string, unknown> };
const typedoc = JSON.parse(readFileSync(join(repo, 'typedoc.json'), 'utf8')) as { entryPoints: string[] };

// DESIGN.md, "Public surface": the functions of the root entry.
const PROMISED = [
  'createClient', 'fromOpenAI', 'pipeline', 'bestOfN', 'scoreThreshold', 'safety', 'speculativeBestOfN', 'toolPolicy',
  'extractReasoning', 'nimReward', 'nemoguard', 'llamaGuard', 'nemotronSafetyGuard', 'contentSafetyReasoning',
  'topicControl', 'jailbreakDetect', 'evaluateRewardBench', 'evaluateGuard',
];

describe('the root entry', () => {
  it('exports every function DESIGN.md promises, and every zod schema of the core types', () => {
    for (const name of PROMISED) expect(typeof (root as Record<string, unknown>)[name], name).toBe('function');
    const schemas = Object.keys(types).filter((k) => k.endsWith('Schema'));
    expect(schemas.length).toBeGreaterThan(15);
    for (const name of schemas) expect((root as Record<string, unknown>)[name], name).toBe((types as Record<string, unknown>)[name]);
    expect(root.CategorySchema).toBe(taxonomy.CategorySchema);
  });

  it('leaves the wire format, the eval helpers and the vendor tables to their subpaths', () => {
    const names = new Set(Object.keys(root));
    for (const name of Object.keys(wire)) expect(names.has(name), `rewardgate/wire's ${name}`).toBe(false);
    for (const name of ['mapCategory', 'nemoguardCategories', 'llamaGuardCategories']) expect(names.has(name), name).toBe(false);
    const evalOnly = Object.keys(evalEntry).filter((k) => k !== 'evaluateRewardBench' && k !== 'evaluateGuard');
    expect(evalOnly).toContain('cachedScorer');
    for (const name of evalOnly) expect(names.has(name), `rewardgate/eval's ${name}`).toBe(false);
    // Middleware reach the recorder as ctx.report; the pipeline makes it, so only its type is public.
    expect(names.has('ReportRecorder')).toBe(false);
    expect(evalEntry.evaluateGuard).toBe(root.evaluateGuard);
  });
});

describe('subpaths', () => {
  // The library builds (ESM and CJS); the CLI is its own ESM-only build, not an export.
  const builds = tsupConfig as unknown as Array<{ entry: Record<string, string>; format: string[] }>;
  const entries: Record<string, string> = Object.assign({}, ...builds.filter((b) => b.format.includes('cjs')).map((b) => b.entry));

  it('each export of package.json has a tsup entry and a typedoc entry point, and the other way round', () => {
    const subpaths = Object.keys(pkg.exports).filter((k) => k !== './package.json');
    const names = subpaths.map((k) => (k === '.' ? 'index' : k.slice(2)));
    expect(Object.keys(entries).sort()).toEqual([...names].sort());
    expect([...typedoc.entryPoints].sort()).toEqual(Object.values(entries).sort());
    for (const [key, name] of subpaths.map((k, i) => [k, names[i]!] as const)) {
      expect(pkg.exports[key], key).toEqual({
        import: { types: `./dist/${name}.d.ts`, default: `./dist/${name}.js` },
        require: { types: `./dist/${name}.d.cts`, default: `./dist/${name}.cjs` },
      });
    }
  });
});
