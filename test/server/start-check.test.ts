// The start check of the guard proxy: every configured part is called once with its credentials,
// and /v1/health/ready answers 503 not_ready (naming the parts, never their keys) until all answer.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createGuardServer, type GuardServer } from '../../src/server/index.js';
import { startServe, type ServeProcess } from '../helpers/run-cli.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';

const KEY = 'sk-upstreamSECRET0123456789';
const GUARD = join(import.meta.dirname, '..', 'fixtures', 'models', 'tiny-guard');
let upstreamStatus = 200;
let guardStatus = 200;
let upstream: FakeOpenAIServer;
let nemo: FakeOpenAIServer;
let proxy: GuardServer | undefined;
const dir = mkdtempSync(join(tmpdir(), 'rg-start-check-'));

beforeAll(async () => {
  upstream = await startOpenAIServer(() => (upstreamStatus === 200 ? { text: 'pong' } : { text: '', status: upstreamStatus, errorBody: { error: { message: 'invalid api key' } } }));
  nemo = await startOpenAIServer(() => (guardStatus === 200 ? { text: '{"User Safety": "safe"}' } : { text: '', status: guardStatus, errorBody: { error: { message: 'unauthorized' } } }));
});
afterEach(async () => {
  await proxy?.close();
  proxy = undefined;
  upstreamStatus = guardStatus = 200;
});
afterAll(async () => {
  await Promise.all([upstream.close(), nemo.close()]);
  rmSync(dir, { recursive: true, force: true });
});

const config = () => ({
  listen: { port: 0, accessLog: false },
  upstream: { baseURL: upstream.baseURL, apiKey: KEY, model: 'm', maxRetries: 0 },
  guards: { local: { onnx: { path: GUARD } }, remote: { nemoguard: { baseURL: nemo.baseURL, apiKey: 'guard-key' } } },
  pipeline: [{ safety: { guard: 'local', input: true, output: true } }],
});

async function health(path: string) {
  const res = await fetch(`${proxy!.address!.url}${path}`);
  return { status: res.status, body: await res.json() };
}

describe('server.check() and readiness', () => {
  it('is ready once the upstream, a local guard and a NIM guard all answer', async () => {
    proxy = await createGuardServer(config());
    await proxy.listen();
    const before = upstream.requests.length;
    const check = await proxy.check();
    expect(check.ready).toBe(true);
    expect(check.parts.map((p) => p.part).sort()).toEqual(['guard:local', 'guard:remote', 'upstream']);
    // The upstream was called once with the configured key; the pipeline's rails were not involved.
    expect(upstream.requests.slice(before).map((r) => r.headers.authorization)).toEqual([`Bearer ${KEY}`]);
    expect(await health('/v1/health/ready')).toMatchObject({ status: 200, body: { status: 'ok' } });
  });

  it('a rejected upstream key and a misconfigured guard make it not ready, named without secrets', async () => {
    upstreamStatus = 401;
    guardStatus = 401;
    proxy = await createGuardServer(config());
    await proxy.listen();
    const check = await proxy.check();
    expect(check.ready).toBe(false);
    const failed = Object.fromEntries(check.parts.filter((p) => !p.ok).map((p) => [p.part, p.error]));
    expect(Object.keys(failed).sort()).toEqual(['guard:remote', 'upstream']);
    expect(failed['upstream']!.name).toBe('AuthenticationError');
    expect(failed['guard:remote']).toMatchObject({ name: 'GuardConfigurationError', code: 'guard_misconfigured' });
    const ready = await fetch(`${proxy.address!.url}/v1/health/ready`);
    const text = await ready.text();
    expect(ready.status).toBe(503);
    expect(JSON.parse(text)).toMatchObject({ status: 'not_ready', failed: expect.arrayContaining([{ part: 'upstream', error: 'AuthenticationError' }]) });
    expect(text).not.toContain(KEY);
    expect(text).not.toContain('127.0.0.1');
    // Liveness is the process, not its parts.
    expect((await health('/v1/health/live')).status).toBe(200);
    // Fixed later: the next check makes it ready.
    upstreamStatus = guardStatus = 200;
    expect((await proxy.check()).ready).toBe(true);
    expect((await health('/v1/health/ready')).status).toBe(200);
  });

  it('a 400 to the probe still proves the part is reachable with its credentials', async () => {
    upstreamStatus = 400;
    proxy = await createGuardServer(config());
    expect((await proxy.check()).parts.find((p) => p.part === 'upstream')).toMatchObject({ ok: true });
  });
});

describe('rewardgate serve', () => {
  async function serve(extra: string[]): Promise<ServeProcess> {
    const file = join(dir, 'serve.yaml');
    writeFileSync(file, JSON.stringify(config()));
    return startServe(['--config', file, '--port', '0', ...extra]);
  }

  it('checks at start, says what fails on stderr and answers not_ready', async () => {
    upstreamStatus = 401;
    const s = await serve([]);
    try {
      await expect.poll(() => s.stderr, { timeout: 20_000 }).toContain('not ready');
      expect(s.stderr).toContain('upstream: AuthenticationError');
      expect(s.stderr).not.toContain(KEY);
      expect((await fetch(`${s.url}/v1/health/ready`)).status).toBe(503);
    } finally {
      await s.stop();
    }
  }, 30_000);

  it('--no-check calls nothing at start', async () => {
    const before = upstream.requests.length + nemo.requests.length;
    const s = await serve(['--no-check']);
    try {
      expect((await fetch(`${s.url}/v1/health/ready`)).status).toBe(200);
      expect(upstream.requests.length + nemo.requests.length).toBe(before);
      expect(s.stderr).not.toContain('start check');
    } finally {
      await s.stop();
    }
  }, 30_000);
});
