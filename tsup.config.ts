import { defineConfig } from 'tsup';

// One entry per public subpath (package.json "exports"); the CLI is its own ESM entry with a shebang.
// Both builds share dist/, so neither cleans it (the two run in parallel): `npm run build` empties it first.
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      wire: 'src/integrations/wire.ts',
      eval: 'src/eval/index.ts',
      taxonomy: 'src/guards/taxonomy-entry.ts',
      onnx: 'src/onnx/index.ts',
      express: 'src/integrations/express.ts',
      next: 'src/integrations/next.ts',
      'ai-sdk': 'src/integrations/ai-sdk.ts',
      server: 'src/server/index.ts',
    },
    format: ['esm', 'cjs'],
    // `@internal` members (the report recorder's engine-only methods) stay out of the public types.
    dts: { compilerOptions: { stripInternal: true } },
    sourcemap: true,
    target: 'node22',
    treeshake: true,
  },
  {
    entry: { 'cli/main': 'src/cli/main.ts' },
    format: ['esm'],
    sourcemap: true,
    target: 'node22',
    banner: { js: '#!/usr/bin/env node' },
  },
]);
