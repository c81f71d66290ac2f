import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

/** @type {import('next').NextConfig} */
export default {
  // The example lives inside the rewardgate repo and imports the package by name: the repo root
  // (its node_modules, and its package.json for the `rewardgate` self-reference) is the root.
  turbopack: { root: join(here, '../..') },
  outputFileTracingRoot: join(here, '../..'),
  // Native addon: loaded by Node at run time, never bundled.
  serverExternalPackages: ['onnxruntime-node'],
  // The test suite builds this app on every run; it type-checks the example separately.
  typescript: { ignoreBuildErrors: process.env.REWARDGATE_EXAMPLE_SKIP_TYPECHECK === '1' },
};
