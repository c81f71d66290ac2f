import { defineConfig } from 'tsup';

// One entry per public subpath (package.json "exports"); the CLI is its own ESM entry with a shebang.
export default defineConfig([
  {
    entry: {
      index: 'src/index.ts',
      onnx: 'src/onnx/index.ts',
      express: 'src/integrations/express.ts',
      next: 'src/integrations/next.ts',
      'ai-sdk': 'src/integrations/ai-sdk.ts',
      server: 'src/server/index.ts',
    },
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
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
