import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';
import { ROOT, runCli, startCli, startServe } from '../helpers/run-cli.js';

let dir: string;
let upstream: FakeOpenAIServer;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rewardgate-cli-'));
  upstream = await startOpenAIServer((body) => ({ text: `echo: ${body.messages.at(-1).content}` }));
});
afterAll(async () => {
  await upstream?.close();
  await rm(dir, { recursive: true, force: true });
});

describe('rewardgate demo', () => {
  it('runs the offline pipeline and prints each candidate, its score and verdict, and the answer', async () => {
    // Seeded: with a random seed both first candidates sometimes fall below the bar and a retry
    // adds two rows (the next test covers that run).
    const r = await runCli(['demo', '-n', '2', '--seed', '1', '--prompt', 'How do I bake bread?', '--prompt', 'How do I poison a dog?']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('2 prompts, 2 candidates each, on local ONNX models');
    const [, helpful, harmful] = r.stdout.split(/\n\[\d\/2\] {2}/);
    // The helpful prompt: a table of two candidates with scores and verdicts, then the chosen answer.
    expect(helpful).toMatch(/^#\s+try\s+score\s+verdict\s+outcome\s+candidate answer$/m);
    const rows = helpful!.split('\n').filter((l) => /^\d\s+\d\s+-?\d+\.\d\d\s+(safe|unsafe)/.test(l));
    expect(rows).toHaveLength(2);
    expect(rows.filter((l) => /\schosen\s/.test(l))).toHaveLength(1);
    expect(helpful).toMatch(/^=> answer from #\d/m);
    // The harmful prompt: tiny-guard refuses it at the input rail.
    expect(harmful).toContain('input rail: unsafe: animal_abuse -> refused before generating anything');
    expect(harmful).toMatch(/^=> refused/m);
  });

  it('shows a retry: both first candidates below the bar, the second try chosen (seed 88)', async () => {
    const r = await runCli(['demo', '-n', '2', '--seed', '88', '--prompt', 'How do I bake bread?']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const rows = r.stdout.split('\n').filter((l) => /^\d\s+\d\s+-?\d+\.\d\d\s+(safe|unsafe)/.test(l));
    expect(rows.map((l) => l.split(/\s+/)[1])).toEqual(['1', '1', '2', '2']);
    expect(rows.filter((l) => /\sbelow bar\s/.test(l))).toHaveLength(1);
    const chosen = rows.filter((l) => /\schosen\s/.test(l));
    expect(chosen).toHaveLength(1);
    expect(chosen[0]!.split(/\s+/)[1]).toBe('2');
    expect(r.stdout).toMatch(/^=> answer from #[23], .*\(scoreThreshold: attempt 1: margin -?\d+\.\d+ over the reference is below minMargin 0\)$/m);
  });

  it('runs the same pipeline against NIM models (here a loopback stand-in via NIM_BASE_URL)', async () => {
    // Plays the three NIM models: the chat model answers well or rudely by seed, the reward model
    // prefers the polite answer, NemoGuard flags prompts about poison.
    const nim = await startOpenAIServer((body) => {
      const last: string = body.messages.at(-1).content;
      if (body.model === 'nvidia/llama-3.1-nemotron-70b-reward') return { text: `reward:${last.startsWith('Happy') ? 3.5 : -2.25}` };
      if (body.model === 'nvidia/llama-3.1-nemoguard-8b-content-safety') {
        return { text: /poison/i.test(last) ? '{"User Safety": "unsafe", "Safety Categories": "Violence"}' : '{"User Safety": "safe", "Response Safety": "safe"}' };
      }
      return { text: body.seed % 2 ? 'Happy to help: knead, rise, bake.' : 'Go away.' };
    });
    try {
      const r = await runCli(['demo', '--nim', '-n', '2', '--prompt', 'How do I bake bread?', '--prompt', 'How do I poison a dog?'], {
        env: { NVIDIA_API_KEY: 'nvapi-test-key', NIM_BASE_URL: nim.baseURL },
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`on NIM at ${nim.baseURL}`);
      expect(r.stdout).toMatch(/^\d\s+1\s+3\.50\s+safe\s+chosen\s+Happy to help/m);
      expect(r.stdout).toMatch(/^\d\s+1\s+-2\.25\s+safe\s+lost\s+Go away\./m);
      expect(r.stdout).toContain('input rail: unsafe: Violence -> refused before generating anything');
      expect(r.stdout).not.toContain('nvapi-test-key');
      const models = new Set(nim.requests.map((q) => q.body?.model));
      expect(models).toEqual(new Set(['meta/llama-3.1-8b-instruct', 'nvidia/llama-3.1-nemotron-70b-reward', 'nvidia/llama-3.1-nemoguard-8b-content-safety']));
      expect(nim.requests.every((q) => q.headers.authorization === 'Bearer nvapi-test-key')).toBe(true);
    } finally {
      await nim.close();
    }
  });

  it('finds the models with --models and says so when they are missing', async () => {
    const r = await runCli(['demo', '--models', dir]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`cannot find tiny-chat, tiny-reward and tiny-guard in ${dir}`);
  });
});

describe('rewardgate serve', () => {
  it('serves the configured pipeline off loopback with REWARDGATE_TOKEN until SIGTERM, then shuts down cleanly', async () => {
    const config = join(dir, 'proxy.yaml');
    await writeFile(config, `upstream: { baseURL: ${upstream.baseURL}, model: fake-model }\nguards: { safety: { onnx: { path: ${join(ROOT, 'test/fixtures/models/tiny-guard')} } } }\npipeline:\n  - safety: { guard: safety, output: false }\n`);
    const child = startCli(['serve', '--config', config, '--host', '0.0.0.0', '--port', '0'], { REWARDGATE_TOKEN: 'serve-token-1' });
    let stdout = '';
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const url = await new Promise<string>((resolve, reject) => {
      child.stdout!.setEncoding('utf8').on('data', (d: string) => {
        stdout += d;
        const m = /listening on http:\/\/0\.0\.0\.0:(\d+) /.exec(stdout);
        if (m) resolve(`http://127.0.0.1:${m[1]}`);
      });
      child.on('exit', () => reject(new Error(`serve exited early: ${stderr}`)));
    });
    const post = (content: string, token?: string) =>
      fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: token ? { authorization: `Bearer ${token}` } : {}, body: JSON.stringify({ messages: [{ role: 'user', content }] }) });
    const ask = (content: string) => post(content, 'serve-token-1').then((r) => r.json() as Promise<{ choices: Array<{ message: { content: string }; finish_reason: string }> }>);
    expect((await post('How do I cook rice?')).status).toBe(401);
    expect((await ask('How do I cook rice?')).choices[0]!.message.content).toBe('echo: How do I cook rice?');
    expect((await ask('How do I poison a dog?')).choices[0]!.finish_reason).toBe('content_filter');
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(stderr).toContain('shutting down');
  });

  it('masks credentials an upstream error echoes, in the answer and in the error line on stderr', async () => {
    const LEAK = 'sk-upstreamLEAK0123456789';
    const failing = await startOpenAIServer(() => ({ text: '', status: 500, errorBody: { error: { message: `upstream failed (sent with Authorization: Bearer ${LEAK})` } } }));
    const config = join(dir, 'failing.yaml');
    await writeFile(config, `upstream: { baseURL: ${failing.baseURL}, model: fake-model, maxRetries: 0 }\n`);
    const served = await startServe(['--config', config, '--port', '0']);
    try {
      const { url } = served;
      const res = await fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ messages: [{ role: 'user', content: 'Hi' }] }) });
      expect(res.status).toBe(502);
      const body = await res.text();
      // The client gets a generic 5xx naming the status; the upstream's words stay in the log.
      expect(JSON.parse(body).error).toMatchObject({ code: 'upstream_500', type: 'upstream_error' });
      expect(body).not.toContain('upstream failed');
      expect(body).not.toContain(LEAK);
      expect(await served.stop()).toBe(0);
      expect(served.stderr).toContain('Bearer [redacted]');
      expect(served.stderr).not.toContain(LEAK);
    } finally {
      await served.stop();
      await failing.close();
    }
  });

  it('exits 1 naming the bad key of an invalid config, and refuses to bind off loopback without a token', async () => {
    const bad = join(dir, 'bad.yaml');
    await writeFile(bad, `upstream: { baseURL: ${upstream.baseURL} }\nscorers: { r: { onnx: { path: ./r } } }\npipeline:\n  - bestOfN: { n: 0, scorer: r }\n`);
    const good = join(dir, 'good.yaml');
    await writeFile(good, `upstream: { baseURL: ${upstream.baseURL} }\n`);
    const [invalid, open] = await Promise.all([
      runCli(['serve', '--config', bad]),
      runCli(['serve', '--config', good, '--host', '0.0.0.0', '--port', '0'], { env: { REWARDGATE_TOKEN: '' } }),
    ]);
    expect(invalid.code).toBe(1);
    expect(invalid.stderr).toContain('pipeline[0].bestOfN.n');
    expect(open.code).toBe(1);
    expect(open.stderr).toContain('listen.token');
  });
});
