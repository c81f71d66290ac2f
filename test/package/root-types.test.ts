// The root entry's published types must not need an optional peer: a TypeScript user with
// `skipLibCheck: false` and no `openai`, `ai`, `express`, `onnxruntime-node` or OpenTelemetry
// installed type-checks `rewardgate` cleanly. The peers are made unresolvable with `paths`.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');
const dir = mkdtempSync(join(tmpdir(), 'rg-root-types-'));
const PEERS = ['openai', 'ai', '@ai-sdk/provider', 'express', 'onnxruntime-node', '@opentelemetry/api'];

beforeAll(() => {
  // `npm test` builds dist/ before vitest; build it here when the file runs on its own.
  if (existsSync(join(root, 'dist', 'index.d.ts'))) return;
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'tsup', 'dist', 'cli-default.js')], { cwd: root, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(r.stdout + r.stderr);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function typecheck(entry: string): { status: number | null; out: string } {
  writeFileSync(join(dir, 'use.ts'), `import type * as rg from ${JSON.stringify(entry)};\nexport type Used = [rg.Message, rg.ChatModel, rg.GuardedModel, rg.OpenAIClientLike];\n`);
  const paths = Object.fromEntries(PEERS.map((p) => [p, ['./absent-peer']]));
  const tsconfig = { compilerOptions: { strict: true, skipLibCheck: false, noEmit: true, module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2023', lib: ['ES2023', 'DOM'], types: [], paths }, files: ['use.ts'] };
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify(tsconfig));
  const r = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', dir], { encoding: 'utf8' });
  return { status: r.status, out: r.stdout + r.stderr };
}

it('the root entry type-checks with skipLibCheck false and no optional peer installed', () => {
  const { status, out } = typecheck(join(root, 'dist', 'index.js'));
  expect(out).not.toMatch(/TS2307/);
  expect(status, out).toBe(0);
}, 60_000);

it('the check notices a peer import: the ai-sdk entry needs `ai` types', () => {
  const { out } = typecheck(join(root, 'dist', 'ai-sdk.js'));
  expect(out).toMatch(/TS2307|has no exported member/);
}, 60_000);

it('engine-only members marked @internal are not in the published types', () => {
  const types = readdirSync(join(root, 'dist')).filter((f) => f.endsWith('.d.ts') || f.endsWith('.d.cts'));
  const text = types.map((f) => readFileSync(join(root, 'dist', f), 'utf8')).join('\n');
  expect(text).toContain('class ReportRecorder');
  for (const member of ['settle(', 'startCandidate(', 'finishCandidate(', 'candidateUnder(', 'scoreCache(']) expect(text).not.toContain(member);
  expect(text).not.toContain('@internal');
});
