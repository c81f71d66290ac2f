// `rewardgate serve --workers 2`: a node:cluster primary with two proxies sharing one port, an
// access log line per request on stdout, and a clean stop on SIGTERM.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCli } from '../helpers/run-cli.js';
import { startOpenAIServer, type FakeOpenAIServer } from '../helpers/openai-server.js';
import { JSON_HEADERS, raw } from './raw-http.js';

let upstream: FakeOpenAIServer;
const dir = mkdtempSync(join(tmpdir(), 'rg-workers-'));
beforeAll(async () => {
  upstream = await startOpenAIServer();
});
afterAll(async () => {
  await upstream?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('rewardgate serve --workers', () => {
  it('answers from two worker processes on one port and stops on SIGTERM', { timeout: 20_000 }, async () => {
    const config = join(dir, 'config.yaml');
    writeFileSync(config, `upstream: { baseURL: ${upstream.baseURL}, model: fake-model, maxRetries: 0 }\n`);
    const child = startCli(['serve', '--config', config, '--port', '0', '--workers', '2']);
    let stdout = '';
    child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr!.resume();
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      for (let i = 0; i < 400 && (stdout.match(/listening on/g) ?? []).length < 2; i++) await new Promise((r) => setTimeout(r, 25));
      const urls = [...stdout.matchAll(/listening on (http:\/\/\S+) /g)].map((m) => m[1]);
      expect(urls).toHaveLength(2);
      expect(urls[0]).toBe(urls[1]);
      const body = JSON.stringify({ messages: [{ role: 'user', content: 'hi' }] });
      for (let i = 0; i < 6; i++) {
        const answer = await raw(`${urls[0]}/v1/chat/completions`, { method: 'POST', headers: JSON_HEADERS, body });
        expect(answer.status).toBe(200);
      }
      for (let i = 0; i < 100 && (stdout.match(/"msg":"request"/g) ?? []).length < 6; i++) await new Promise((r) => setTimeout(r, 20));
      const lines = stdout.split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { msg: string; status: number; pid: number });
      expect(lines.filter((l) => l.msg === 'request' && l.status === 200)).toHaveLength(6);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
  });
});
