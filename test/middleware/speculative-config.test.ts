// speculativeBestOfN from a config file (what `rewardgate serve` reads) and `rewardgate demo --rerank`.
import { describe, expect, it } from 'vitest';
import { GuardConfigFileSchema } from '../../src/config/schema.js';
import { runCli } from '../helpers/run-cli.js';

const base = { upstream: { baseURL: 'http://127.0.0.1:9/v1' }, scorers: { reward: { nim: { model: 'nvidia/llama-3.1-nemotron-70b-reward' } } } };
const issues = (pipeline: unknown[]) => {
  const r = GuardConfigFileSchema.safeParse({ ...base, pipeline });
  return r.success ? [] : r.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
};

describe('speculativeBestOfN in a config', () => {
  it('accepts the options of the code, spelled as strings from ${VAR} too', () => {
    const r = GuardConfigFileSchema.parse({ ...base, pipeline: [{ speculativeBestOfN: { n: '8', scorer: 'reward', checkpoints: [16, 48], keep: '0.25', minSurvivors: 2, final: 'checkpoint' } }] });
    expect(r.pipeline[0]!.speculativeBestOfN).toEqual({ n: 8, scorer: 'reward', checkpoints: [16, 48], keep: 0.25, minSurvivors: 2, final: 'checkpoint' });
  });

  it('names the bad key', () => {
    expect(issues([{ speculativeBestOfN: { n: 4, scorer: 'nope' } }])).toEqual([expect.stringMatching(/^pipeline\.0\.speculativeBestOfN\.scorer: no scorer named "nope"/)]);
    expect(issues([{ speculativeBestOfN: { n: 4, scorer: 'reward', checkpoints: [16, 8] } }])).toEqual(['pipeline.0.speculativeBestOfN.checkpoints: token counts must be strictly increasing']);
    expect(issues([{ speculativeBestOfN: { n: 4, scorer: 'reward', minSurvivors: 5 } }])).toEqual(['pipeline.0.speculativeBestOfN.minSurvivors: minSurvivors (5) must not exceed n (4)']);
    expect(issues([{ speculativeBestOfN: { n: 4, scorer: 'reward', checkpoints: { everyTokens: 8, everyChars: 9 } } }])[0]).toMatch(/^pipeline\.0\.speculativeBestOfN\.checkpoints/);
  });
});

describe('rewardgate demo --rerank', () => {
  it('prints each checkpoint and its pruning, then the survivor streamed, on the tiny models', async () => {
    const r = await runCli(['demo', '--rerank', '-n', '4', '--seed', '7', '--prompt', 'How do I bake bread?']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rewardgate demo --rerank: 1 prompts, 4 candidates each/m);
    // tiny-agent writes, tiny-reward-prefix judges: half are cut at 4 tokens, one is left at 8.
    expect(r.stdout).toMatch(/checkpoints at 4, 8, 12, 16 tokens, keep half/);
    expect(r.stdout).toMatch(/^ {2}checkpoint 1 \(4 tokens\): #0 -?\d+\.\d\*?  #1 .* -> pruned #\d #\d, 2 left$/m);
    expect(r.stdout).toMatch(/^ {2}checkpoint 2 \(8 tokens\): #\d -?\d+\.\d\*?  #\d -?\d+\.\d\*?  -> pruned #\d, 1 left$/m);
    const answer = /^ {2}answer: (.+)$/m.exec(r.stdout);
    expect(answer?.[1]?.length).toBeGreaterThan(10);
    expect(r.stdout).toMatch(/=> sample \d \(reward -?\d+\.\d\d\); \d+ tokens generated of ~\d+ for full best-of-4 \(\d\.\d\dx\)/);
    expect(r.stdout.indexOf('checkpoint 1')).toBeLessThan(r.stdout.indexOf('answer: '));
  });
});
