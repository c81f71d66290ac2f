import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadScorer } from '../../src/onnx/index.js';
import { startOpenAIServer } from '../helpers/openai-server.js';
import { runCli } from '../helpers/run-cli.js';

const REWARD = 'test/fixtures/models/tiny-reward';
const SAMPLE = 'test/fixtures/rewardbench-sample.jsonl';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rewardgate-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('rewardgate eval', () => {
  it('reproduces the fixture accuracies with --json, without a progress bar when piped', async () => {
    const r = await runCli(['eval', SAMPLE, '--model', REWARD, '--device', 'cpu', '--json']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout);
    expect(doc).toMatchObject({ format: 'rb1', file: SAMPLE, settings: { format: 'rb1', rows: 200, input: 'jsonl', batch: 16, cache: 'off' } });
    expect(doc.scorers).toHaveLength(1);
    const result = doc.scorers[0];
    expect(result).toMatchObject({ name: REWARD, source: 'onnx' });
    expect(result.outcomes).toBeUndefined();
    expect(result.subsets.chat).toMatchObject({ correct: 43, total: 43, accuracy: 1, section: 'Chat' });
    expect(result.subsets['chat-hard']).toMatchObject({ correct: 105, total: 110, section: 'Chat Hard' });
    expect(result.subsets['chat-hard'].accuracy).toBeCloseTo(42 / 44, 12);
    expect(result.subsets.safety).toMatchObject({ correct: 47, total: 47, accuracy: 1, section: 'Safety' });
    expect(result.sections).toEqual({ Chat: 1, 'Chat Hard': 105 / 110, Safety: 1 });
    expect(result.overall).toBeCloseTo((2 + 105 / 110) / 3, 12);
    expect(result.rows).toEqual({ correct: 195, total: 200, accuracy: 0.975 });
  });

  it('prints a table on a terminal-style run, and names a bad row by line', async () => {
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, '{"prompt":"q","chosen":"a","rejected":"b","subset":"chat"}\n\n{"prompt":"q","chosen":"a","subset":"chat"}\n');
    const [table, broken] = await Promise.all([
      runCli(['eval', SAMPLE, '--model', REWARD, '--device', 'cpu', '--batch', '50']),
      runCli(['eval', bad, '--model', REWARD]),
    ]);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^chat-hard\s+Chat Hard\s+110\s+105\s+0\.9545$/m);
    expect(table.stdout).toMatch(/^Overall\s+0\.9848$/m);
    expect(table.stdout).toContain('Rows: 195/200 correct (0.9750)');
    expect(broken.code).toBe(1);
    expect(broken.stderr).toContain(`${bad} line 3`);
    expect(broken.stderr).toContain('rejected');
  });
});

describe('rewardgate eval and score on a NIM reward model', () => {
  it('scores through the NIM reward API (a loopback stand-in via NIM_BASE_URL)', async () => {
    // The stand-in rates an answer by its length, so the expected accuracy is known in advance.
    const nim = await startOpenAIServer((body) => ({ text: `reward:${body.messages.at(-1).content.length}` }));
    try {
      const rows = [
        { prompt: 'q', chosen: 'a longer answer', rejected: 'short', subset: 'alpacaeval-easy' },
        { prompt: 'q', chosen: 'tiny', rejected: 'much longer text', subset: 'alpacaeval-easy' },
        { prompt: 'q', chosen: 'a fine refusal', rejected: 'no', subset: 'donotanswer' },
      ];
      const file = join(dir, 'nim-rows.jsonl');
      await writeFile(file, rows.map((r) => JSON.stringify(r)).join('\n'));
      const env = { NVIDIA_API_KEY: 'nvapi-test', NIM_BASE_URL: nim.baseURL };
      const [evaluated, scored] = await Promise.all([
        runCli(['eval', file, '--nim', 'nvidia/llama-3.1-nemotron-70b-reward', '--json'], { env }),
        runCli(['score', '-', '--nim', 'nvidia/llama-3.1-nemotron-70b-reward'], { env, input: '{"prompt":"q","response":"four"}\n' }),
      ]);
      expect(evaluated.code).toBe(0);
      const result = JSON.parse(evaluated.stdout).scorers[0];
      expect(result).toMatchObject({ name: 'nvidia/llama-3.1-nemotron-70b-reward', source: 'nim' });
      expect(result.sections).toEqual({ Chat: 0.5, Safety: 1 });
      expect(result.overall).toBe(0.75);
      expect(scored.code).toBe(0);
      expect(JSON.parse(scored.stdout)).toEqual({ prompt: 'q', response: 'four', score: 4 });
      const sent = nim.requests.filter((r) => r.path === '/v1/chat/completions');
      expect(sent).toHaveLength(7);
      expect(sent.every((r) => r.body.model === 'nvidia/llama-3.1-nemotron-70b-reward' && r.headers.authorization === 'Bearer nvapi-test')).toBe(true);
    } finally {
      await nim.close();
    }
  });
});

describe('rewardgate error lines', () => {
  it('mask credentials that a failing upstream echoes in its message', async () => {
    const LEAK = 'nvapi-echoedLEAK0123456789';
    const nim = await startOpenAIServer(() => ({ text: '', status: 400, errorBody: { error: { message: `rejected: key ${LEAK} is not valid here` } } }));
    try {
      const r = await runCli(['score', '-', '--nim', 'nvidia/llama-3.1-nemotron-70b-reward'], {
        env: { NVIDIA_API_KEY: 'nvapi-configured', NIM_BASE_URL: nim.baseURL },
        input: '{"prompt":"q","response":"four"}\n',
      });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('rejected: key [redacted]');
      expect(r.stderr).not.toContain(LEAK);
    } finally {
      await nim.close();
    }
  });
});

describe('rewardgate score', () => {
  it('adds the local model scores to each row, in order, to stdout or --out', async () => {
    const rows = [
      { id: 'a', messages: [{ role: 'user', content: 'How do I bake bread?' }, { role: 'assistant', content: 'Mix flour, water, yeast and salt.' }] },
      { id: 'b', prompt: 'How do I bake bread?', response: 'Figure it out yourself.' },
      { id: 'c', messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi!' }, { role: 'assistant', content: 'Hello!' }] },
    ];
    const input = join(dir, 'rows.jsonl');
    const out = join(dir, 'scored.jsonl');
    await writeFile(input, `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`);
    const [toStdout, toFile] = await Promise.all([
      runCli(['score', input, '--model', REWARD, '--device', 'cpu', '--batch', '2']),
      runCli(['score', input, '--model', REWARD, '--out', out]),
    ]);
    expect(toStdout.code).toBe(0);
    expect(toStdout.stderr).toBe('');
    const scored = toStdout.stdout.trim().split('\n').map((l) => JSON.parse(l));
    const scorer = await loadScorer({ path: REWARD, device: 'cpu' });
    const expected = await scorer.score([
      rows[0]!.messages!,
      [{ role: 'user', content: rows[1]!.prompt! }, { role: 'assistant', content: rows[1]!.response! }],
      rows[2]!.messages!,
    ] as never);
    await scorer.close();
    expect(scored).toEqual(rows.map((r, i) => ({ ...r, score: expected[i]!.value })));
    expect(toFile.code).toBe(0);
    expect(toFile.stdout).toBe('');
    expect((await readFile(out, 'utf8')).trim().split('\n').map((l) => JSON.parse(l))).toEqual(scored);
  });

  it('exits 1 with a one-line message when --out cannot be written, before loading the model', async () => {
    const input = join(dir, 'one.jsonl');
    await writeFile(input, '{"prompt":"Hi","response":"Hello!"}\n');
    const out = join(dir, 'no-such-dir', 'scored.jsonl');
    const r = await runCli(['score', input, '--model', 'test/fixtures/models/no-such-model', '--out', out]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    // A stream 'error' nobody listened to would crash with a stack trace instead.
    expect(r.stderr).toMatch(/^rewardgate score: Error: ENOENT[^\n]*no-such-dir[^\n]*\n$/);
  });

  it('reads stdin with -, and fails with the line of a row it cannot score', async () => {
    const [piped, bad] = await Promise.all([
      runCli(['score', '-', '--model', REWARD], { input: '{"prompt":"Hi","response":"Hello!"}\n' }),
      runCli(['score', '-', '--model', REWARD], { input: '{"prompt":"Hi","response":"Hello!"}\n{"messages":[{"role":"user","content":"Hi"}]}\n' }),
    ]);
    expect(piped.code).toBe(0);
    expect(typeof JSON.parse(piped.stdout).score).toBe('number');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('- line 2');
    expect(bad.stderr).toContain('messages[0].role');
    expect(bad.stdout).toBe('');
  });

  it('names the line of a row the model refuses (over its maxLength), not its index in a batch', async () => {
    const rows = ['{"prompt":"Hi","response":"Hello!"}', '{"prompt":"Hi","response":"Hey"}', '{"prompt":"Hi","response":"Yo"}', JSON.stringify({ prompt: 'Hi', response: 'word '.repeat(3000) })];
    const r = await runCli(['score', '-', '--model', REWARD, '--device', 'cpu', '--batch', '2'], { input: `${rows.join('\n')}\n` });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('Invalid - line 4:');
    expect(r.stderr).toContain('over maxLength');
  });
});
