import { readFileSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { describe, expect, it } from 'vitest';

// Every module the core entry reaches through runtime (non-type) imports, and the packages they name.
function reachFrom(entry: string): { files: Set<string>; packages: Set<string> } {
  const files = new Set<string>();
  const packages = new Set<string>();
  const visit = (file: string) => {
    if (files.has(file)) return;
    files.add(file);
    const source = readFileSync(file, 'utf8');
    const specifiers = [
      ...source.matchAll(/^\s*(?:import|export)\s+(?!type\b)[^'";]*?from\s+['"]([^'"]+)['"]/gm),
      ...source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm),
      ...source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g),
    ].map((m) => m[1]!);
    for (const spec of specifiers) {
      if (spec.startsWith('.')) visit(normalize(join(dirname(file), spec.replace(/\.js$/, '.ts'))));
      else packages.add(spec);
    }
  };
  visit(entry);
  return { files, packages };
}

describe('the core entry', () => {
  it('never imports onnxruntime-node or src/onnx', () => {
    const { files, packages } = reachFrom('src/index.ts');
    expect(files.has(normalize('src/scorers/kserve.ts'))).toBe(true);
    expect([...packages].filter((p) => p.includes('onnxruntime'))).toEqual([]);
    expect([...files].filter((f) => f.startsWith(normalize('src/onnx/')))).toEqual([]);
  });

  it('the onnx entry imports onnxruntime-node only lazily, in one place', () => {
    const { files } = reachFrom('src/onnx/index.ts');
    const importers = [...files].filter((f) => /from\s+['"]onnxruntime-node['"]/.test(readFileSync(f, 'utf8')));
    expect(importers).toEqual([]);
    expect(readFileSync('src/onnx/runtime.ts', 'utf8')).toMatch(/await \(.*import\('onnxruntime-node'\)/);
  });
});
