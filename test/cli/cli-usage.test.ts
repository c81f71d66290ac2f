import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.js';

describe('rewardgate CLI usage', () => {
  it('prints help for the CLI and for every command, exit 0', async () => {
    const [top, ...commands] = await Promise.all([
      runCli(['--help']),
      ...['demo', 'score', 'eval', 'serve'].map((c) => runCli([c, '--help'])),
    ]);
    expect(top!.code).toBe(0);
    for (const name of ['demo', 'score', 'eval', 'serve']) expect(top!.stdout).toMatch(new RegExp(`^  ${name} `, 'm'));
    ['demo', 'score', 'eval', 'serve'].forEach((name, i) => {
      expect(commands[i]!.code).toBe(0);
      expect(commands[i]!.stdout).toContain(`Usage: rewardgate ${name}`);
      expect(commands[i]!.stderr).toBe('');
    });
  });

  it('exits 2 with a message on stderr for usage errors', async () => {
    const cases = await Promise.all([
      runCli([]),
      runCli(['frobnicate']),
      runCli(['eval', 'test/fixtures/rewardbench-sample.jsonl', '--bogus']),
      runCli(['eval', 'test/fixtures/rewardbench-sample.jsonl']),
      runCli(['score', 'rows.jsonl', '--model', 'a', '--nim', 'b']),
      runCli(['serve']),
      runCli(['demo', '--nim']),
      runCli(['demo', '--candidates', 'many']),
      runCli(['eval', 'test/fixtures/rewardbench-sample.jsonl', '--model', 'x', '--batch', '0']),
      runCli(['serve', '--config', 'x.yaml', '--port', '']),
    ]);
    for (const r of cases) {
      expect(r.code).toBe(2);
      expect(r.stdout).toBe('');
      expect(r.stderr.length).toBeGreaterThan(0);
    }
    expect(cases[1]!.stderr).toContain('unknown command "frobnicate"');
    expect(cases[2]!.stderr).toContain("Unknown option '--bogus'");
    expect(cases[3]!.stderr).toContain('--model <folder> or --nim <model>');
    expect(cases[4]!.stderr).toContain('either --model or --nim');
    expect(cases[5]!.stderr).toContain('--config <file> is required');
    expect(cases[6]!.stderr).toContain('NVIDIA_API_KEY');
    expect(cases[7]!.stderr).toContain('--candidates must be an integer of at least 1');
    expect(cases[8]!.stderr).toContain('--batch must be an integer of at least 1, got "0"');
    expect(cases[9]!.stderr).toContain('--port must be an integer of at least 0, got ""');
  });

  it('prints the package version', async () => {
    const r = await runCli(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+/);
  });
});
