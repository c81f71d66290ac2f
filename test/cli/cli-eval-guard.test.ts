import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';
import { runCli } from '../helpers/run-cli.js';

const GUARD = 'test/fixtures/models/tiny-guard';
const FIX = 'test/fixtures/eval';
const NEMOGUARD = 'nvidia/llama-3.1-nemoguard-8b-content-safety';

// A NemoGuard stand-in: unsafe (Violence) when the judged conversation mentions harm.
function nemoguardReply(body: { messages: Array<{ content: string }> }) {
  const conversation = body.messages[0]!.content.split('<BEGIN CONVERSATION>')[1] ?? '';
  const unsafe = /poison|hurt|weapon|steal|break into|bully/i.test(conversation);
  const verdict = unsafe ? 'unsafe' : 'safe';
  return { text: JSON.stringify({ 'User Safety': verdict, 'Response Safety': verdict, ...(unsafe ? { 'Safety Categories': 'Violence' } : {}) }) };
}

let dir: string;
let nim: FakeOpenAIServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rewardgate-eval-guard-'));
  nim = await startOpenAIServer(nemoguardReply);
});
afterAll(async () => {
  await nim.close();
  await rm(dir, { recursive: true, force: true });
});

describe('rewardgate eval-guard', () => {
  it('reports the local guard on Aegis-style rows, the same from parquet and JSONL', async () => {
    const [parquet, jsonl] = await Promise.all([
      runCli(['eval-guard', `${FIX}/guard-sample.parquet`, '--guard', GUARD, '--device', 'cpu', '--json', '--outcomes']),
      runCli(['eval-guard', `${FIX}/guard-sample.jsonl`, '--guard', GUARD, '--device', 'cpu', '--json']),
    ]);
    expect(parquet.stderr).toBe('');
    expect(parquet.code).toBe(0);
    const doc = JSON.parse(parquet.stdout);
    expect(doc.settings).toMatchObject({ rows: 14, input: 'parquet', target: 'auto', concurrency: 4 });
    const g = doc.guards[0];
    expect(g).toMatchObject({ name: GUARD, source: 'onnx', rows: 14, failedToParse: 0 });
    // tiny-guard flags exactly the six harmful prompts / answers of the fixture (see the fixture's labels).
    expect(g.overall).toMatchObject({ tp: 6, fp: 0, fn: 0, tn: 8, precision: 1, recall: 1, f1: 1, fpr: 0 });
    // It names its own categories: a poisoned dog is animal_abuse, not the label's violence.
    expect(g.categories.violence).toMatchObject({ rows: 3, tp: 1, fn: 2, detected: 3 });
    expect(g.categories.animal_abuse).toMatchObject({ rows: 0, fp: 1 });
    const { labels, counts } = g.confusion;
    expect(counts[labels.indexOf('violence')][labels.indexOf('animal_abuse')]).toBe(1);
    expect(counts[labels.indexOf('none')][labels.indexOf('none')]).toBe(8);
    expect(typeof g.latency.p95Ms).toBe('number');
    const { guards: [{ latency: _a, outcomes: _c, ...fromParquet }] } = doc;
    const { guards: [{ latency: _b, ...fromJsonl }] } = JSON.parse(jsonl.stdout);
    expect(fromParquet).toEqual(fromJsonl);
    // --outcomes: each row's truth, verdict and latency, in file order.
    expect(g.outcomes).toHaveLength(14);
    expect(g.outcomes[6]).toMatchObject({ id: 'g7', target: 'prompt', expected: { unsafe: true, categories: ['violence'] }, predicted: { unsafe: true, categories: ['animal_abuse'] }, failedToParse: false });
    expect(g.outcomes[11]).toMatchObject({ id: 'g12', target: 'response' });
    expect(g.outcomes.every((o: { latencyMs: number }) => o.latencyMs > 0)).toBe(true);
    expect(JSON.parse(jsonl.stdout).guards[0].outcomes).toBeUndefined();
  });

  it('runs a config file\'s named guard beside a NIM NemoGuard, one column each', async () => {
    const config = join(dir, 'rewardgate.yaml');
    await writeFile(config, `upstream: { baseURL: http://127.0.0.1:1/v1 }\nguards:\n  local: { onnx: { path: ${resolve(GUARD)}, device: cpu } }\n`);
    const env = { NVIDIA_API_KEY: 'nvapi-test', NIM_BASE_URL: nim.baseURL };
    const out = join(dir, 'guards.txt');
    const r = await runCli(['eval-guard', `${FIX}/guard-sample.jsonl`, '--config', config, '--guard', 'local', '--nim', NEMOGUARD, '--out', out], { env });
    expect(r.code).toBe(0);
    const text = await (await import('node:fs/promises')).readFile(out, 'utf8');
    expect(text).toMatch(/^local\s+14\s+6\s+0\s+0\s+8\s+1\.0000\s+1\.0000\s+1\.0000\s+0\.0000\s/m);
    // The stand-in flags g13's prompt words too, but g13 judges its (safe) refusal: it still says unsafe, a false positive.
    expect(text).toMatch(new RegExp(`^${NEMOGUARD}\\s+14\\s+6\\s+1\\s+0\\s+7\\s`, 'm'));
    expect(text).toContain(`${NEMOGUARD}, category confusion (rows: label, columns: verdict):`);
    const judged = nim.requests.filter((q) => q.path === '/v1/chat/completions');
    expect(judged).toHaveLength(14);
    expect(judged.every((q) => q.body.model === NEMOGUARD)).toBe(true);
  });

  it('builds any hosted guard kind of the config file as serve does (Nemotron Safety Guard, its key from the file)', async () => {
    const config = join(dir, 'hosted.yaml');
    await writeFile(config, `upstream: { baseURL: http://127.0.0.1:1/v1 }\nguards:\n  hosted: { nemotronSafetyGuard: { baseURL: ${nim.baseURL}, apiKey: nvapi-from-file } }\n`);
    const before = nim.requests.length;
    const r = await runCli(['eval-guard', `${FIX}/guard-sample.jsonl`, '--config', config, '--guard', 'hosted', '--json'], { env: {} });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const g = JSON.parse(r.stdout).guards[0];
    expect(g).toMatchObject({ name: 'hosted', source: 'config', rows: 14, failedToParse: 0 });
    expect(g.overall).toMatchObject({ tp: 6, fp: 1, fn: 0, tn: 7 });
    const judged = nim.requests.slice(before).filter((q) => q.path === '/v1/chat/completions');
    expect(judged).toHaveLength(14);
    expect(judged.every((q) => q.headers.authorization === 'Bearer nvapi-from-file' && /nemotron-safety-guard/.test(String(q.body.model)))).toBe(true);
  });

  it('exits 2 on usage errors and 1 on a bad row, naming the line', async () => {
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, '{"prompt":"hi","label":"safe"}\n{"prompt":"hi","label":"perhaps"}\n');
    const [none, unknown, target, badRow] = await Promise.all([
      runCli(['eval-guard', `${FIX}/guard-sample.jsonl`]),
      runCli(['eval-guard', `${FIX}/guard-sample.jsonl`, '--guard', 'no-such-guard']),
      runCli(['eval-guard', `${FIX}/guard-sample.jsonl`, '--guard', GUARD, '--target', 'both']),
      runCli(['eval-guard', bad, '--guard', 'test/fixtures/models/no-such-model', '--device', 'cpu']),
    ]);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('give a guard');
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('--guard no-such-guard: no such folder');
    expect(target.code).toBe(2);
    expect(badRow.code).toBe(1);
    expect(badRow.stderr).toContain(`Invalid ${bad} line 2: label: expected safe / unsafe`);
  });
});
