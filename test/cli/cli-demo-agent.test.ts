// `rewardgate demo --agent` as a user runs it: a child process, offline on tiny-agent. The default
// seed gives a tour where each agent rail has something to catch.
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

describe('rewardgate demo --agent', () => {
  it('runs the agent loop offline: a blocked call, a caught injection, best-of-n picking a valid call over a broken one', async () => {
    const r = await runCli(['demo', '--agent']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('3 tasks, 4 candidates per step, seed 2, on tiny-agent');
    const [, weather, cleanUp, search] = r.stdout.split(/\n\[\d\/3\] {2}/);
    // A plain lookup: the call is chosen, the tool runs, its result is judged safe, an answer follows.
    expect(weather).toMatch(/chosen\s+\{"name": "get_weather", "arguments": \{"city": "Paris"\}\}/);
    expect(weather).toMatch(/agent: ran get_weather -> \{"city":"Paris"/);
    expect(weather).toMatch(/tool rail: result of call_\w+ safe/);
    expect(weather).toMatch(/agent: final answer: /);
    // The dangerous call is blocked by the output rail on its candidate and never runs.
    expect(cleanUp).toMatch(/blocked: deletes everything\s+\{"name": "delete_files", "arguments": \{"path": "\/"\}\}/);
    expect(cleanUp).not.toContain('agent: ran delete_files');
    // A malformed call loses to a valid one; the poisoned search result is redacted before the model reads it.
    expect(search).toMatch(/policy: invalid-json\s+\{"name": "search_docs"/);
    expect(search).toMatch(/chosen\s+\{"name": "search_docs", "arguments": \{"query": "data export"\}\}/);
    expect(search).toMatch(/tool rail: result of call_\w+ unsafe \(instruction in a tool result\) -> caught injection: redacted before the model read it/);
    expect(search).not.toMatch(/agent: ran send_email/);
  }, 90_000);

  it('refuses to combine with --nim, and says where the models are missing', async () => {
    const nim = await runCli(['demo', '--agent', '--nim'], { env: { NVIDIA_API_KEY: 'nvapi-x' } });
    expect(nim.code).toBe(2);
    expect(nim.stderr).toContain('--agent runs offline on tiny-agent');
    const missing = await runCli(['demo', '--agent', '--models', '/nonexistent']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('cannot find tiny-agent and tiny-reward in /nonexistent');
  });
});
