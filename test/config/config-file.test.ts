import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, parseConfig } from '../../src/config/index.js';
import { ValidationError } from '../../src/errors.js';

// The example of DESIGN.md, verbatim: `${VAR}` inside a YAML flow map included.
const DESIGN_EXAMPLE = `
listen: { host: 127.0.0.1, port: 8787, token: \${REWARDGATE_TOKEN} }   # token required off loopback
upstream:                                   # any OpenAI-compatible server...
  baseURL: https://integrate.api.nvidia.com/v1
  apiKey: \${NVIDIA_API_KEY}
  model: meta/llama-3.1-8b-instruct        # default when the request names none
scorers:
  reward: { nim: { model: nvidia/llama-3.1-nemotron-70b-reward } }   # baseURL / apiKey optional
guards:
  safety: { nemoguard: { model: nvidia/llama-3.1-nemoguard-8b-content-safety } }
pipeline:                                   # outermost first, same names as the code
  - safety: { guard: safety, input: true, output: true }
  - bestOfN: { n: 4, scorer: reward }
  - scoreThreshold: { scorer: reward, min: -5, maxAttempts: 2, onReject: best }
`;

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rewardgate-config-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function write(name: string, text: string) {
  const file = join(dir, name);
  await writeFile(file, text);
  return file;
}

async function issuesOf(promise: Promise<unknown>): Promise<Array<{ path: string; message: string }>> {
  const error = await promise.catch((e: unknown) => e);
  expect(error).toBeInstanceOf(ValidationError);
  return [...(error as ValidationError).issues];
}

describe('loadConfig', () => {
  it('reads the DESIGN.md example with variables from the environment and fills defaults', async () => {
    const file = await write('design.yaml', DESIGN_EXAMPLE);
    const config = await loadConfig(file, { env: { NVIDIA_API_KEY: 'nvapi-secret-123', REWARDGATE_TOKEN: 'tok-456' } });
    expect(config.listen).toMatchObject({ host: '127.0.0.1', port: 8787, bodyLimit: 1024 * 1024, shutdownTimeoutMs: 10_000 });
    expect(config.listen.token?.reveal()).toBe('tok-456');
    expect(config.upstream.apiKey?.reveal()).toBe('nvapi-secret-123');
    expect(config.upstream.model).toBe('meta/llama-3.1-8b-instruct');
    expect(config.pipeline).toEqual([
      { safety: { guard: 'safety', input: true, output: true } },
      { bestOfN: { n: 4, scorer: 'reward' } },
      { scoreThreshold: { scorer: 'reward', min: -5, maxAttempts: 2, onReject: 'best' } },
    ]);
    // Secrets never print.
    for (const shown of [JSON.stringify(config), inspect(config, { depth: 10 }), String(config.upstream.apiKey)]) {
      expect(shown).not.toContain('nvapi-secret-123');
      expect(shown).not.toContain('tok-456');
    }
  });

  it('treats a lone unset ${VAR} as absent, so an optional loopback token may stay unset', async () => {
    const file = await write('unset.yaml', DESIGN_EXAMPLE);
    const config = await loadConfig(file, { env: {} });
    expect(config.listen.token).toBeUndefined();
    expect(config.upstream.apiKey).toBeUndefined();
  });

  it('says which variable was unset when a required key came from it', async () => {
    const file = await write('required.yaml', 'upstream: { baseURL: ${UPSTREAM_URL} }\n');
    const issues = await issuesOf(loadConfig(file, { env: {} }));
    expect(issues.some((i) => i.path === 'upstream' && i.message.includes('set one of baseURL, onnx'))).toBe(true);
    const embedded = await write('embedded.yaml', 'upstream: { baseURL: "http://${UPSTREAM_HOST}:8000/v1" }\n');
    expect(await issuesOf(loadConfig(embedded, { env: {} }))).toEqual([
      { path: 'upstream.baseURL', message: 'environment variable UPSTREAM_HOST is not set' },
    ]);
    // A key that is itself the unset variable is named once; one inside a bad object with its path.
    const bestOfN = await write('n.yaml', 'upstream: { baseURL: http://127.0.0.1:1/v1 }\nscorers: { r: { nim: { model: m } } }\npipeline: [{ bestOfN: { n: ${NN}, scorer: r } }]\n');
    const [n] = await issuesOf(loadConfig(bestOfN, { env: {} }));
    expect(n!.path).toBe('pipeline[0].bestOfN.n');
    expect(n!.message).toMatch(/ \(not set: \$\{NN\}\)$/);
    const config = await loadConfig(embedded, { env: { UPSTREAM_HOST: '10.0.0.5' } });
    expect(config.upstream.baseURL).toBe('http://10.0.0.5:8000/v1');
  });

  it('names each bad key with its path', async () => {
    const file = await write('bad.yaml', `
upstream: { baseURL: not-a-url, onnx: { path: ./m } }
listen: { port: 99999, tokn: x }
scorers:
  reward: { onnx: { path: ./r, device: tpu } }
pipeline:
  - safety: { guard: nope }
  - bestOfN: { n: 0, scorer: reward }
  - scoreThreshold: { scorer: reward }
  - retry: { times: 2 }
`);
    const issues = await issuesOf(loadConfig(file, { env: {} }));
    const paths = issues.map((i) => i.path);
    expect(paths).toEqual(expect.arrayContaining([
      'upstream.baseURL',
      'upstream',
      'listen.port',
      'listen',
      'scorers.reward.onnx.device',
      'pipeline[1].bestOfN.n',
      'pipeline[2].scoreThreshold.min',
      'pipeline[3]',
    ]));
    expect(issues.find((i) => i.path === 'upstream')!.message).toBe('set only one of baseURL, onnx');
    expect(issues.find((i) => i.path === 'listen')!.message).toContain('tokn');
    expect(issues.find((i) => i.path === 'pipeline[1].bestOfN.n')!.message).toContain('>=1');
  });

  it('checks that the pipeline names configured scorers and guards', async () => {
    const file = await write('refs.yaml', `
upstream: { baseURL: http://127.0.0.1:9/v1 }
scorers: { reward: { onnx: { path: ./r } } }
pipeline:
  - safety: { guard: nope }
  - bestOfN: { n: 2, scorer: rewrd }
`);
    expect(await issuesOf(loadConfig(file, { env: {} }))).toEqual([
      { path: 'pipeline[0].safety.guard', message: 'no guard named "nope" (none configured under guards)' },
      { path: 'pipeline[1].bestOfN.scorer', message: 'no scorer named "rewrd" (known: reward)' },
    ]);
  });

  it('does not take an inherited property name (toString, constructor) for a configured scorer or guard', () => {
    const issues = (() => {
      try {
        parseConfig({ upstream: { baseURL: 'http://127.0.0.1:9/v1' }, pipeline: [{ safety: { guard: 'constructor' } }, { bestOfN: { n: 2, scorer: 'toString' } }] }, { env: {} });
      } catch (error) {
        return (error as ValidationError).issues;
      }
      return [];
    })();
    expect(issues.map((i) => i.path)).toEqual(['pipeline[0].safety.guard', 'pipeline[1].bestOfN.scorer']);
  });

  it('reads JSON files, resolves model folders against the file, and turns "8080" from the environment into a number', async () => {
    const file = await write('proxy.json', JSON.stringify({
      listen: { port: '${PORT}' },
      upstream: { onnx: { path: './models/tiny-chat' } },
      scorers: { reward: { onnx: { path: '/abs/tiny-reward' }, serveAs: 'nvidia/llama-3.1-nemotron-70b-reward' } },
    }));
    const config = await loadConfig(file, { env: { PORT: '8080' } });
    expect(config.listen.port).toBe(8080);
    expect(config.upstream.onnx?.path).toBe(join(dir, 'models/tiny-chat'));
    expect(config.scorers.reward!.onnx?.path).toBe('/abs/tiny-reward');
    expect(config.scorers.reward!.serveAs).toBe('nvidia/llama-3.1-nemotron-70b-reward');
  });

  it('reports YAML syntax errors with their line, and unreadable files', async () => {
    const file = await write('broken.yaml', 'upstream:\n  baseURL: [unclosed\n');
    const issues = await issuesOf(loadConfig(file));
    expect(issues[0]!.path).toMatch(/^line \d+$/);
    const json = await write('broken.json', '{ "upstream": ');
    expect((await issuesOf(loadConfig(json)))[0]!.message).toContain('invalid JSON');
    expect((await issuesOf(loadConfig(join(dir, 'missing.yaml'))))[0]!.message).toContain('ENOENT');
  });
});

describe('shipped configs', () => {
  it('the offline example and the docs/server.md reference config are valid', async () => {
    const example = await loadConfig(new URL('../../examples/offline-demo/rewardgate.yaml', import.meta.url).pathname, { env: {} });
    expect(example.pipeline.map((step) => Object.keys(step)[0])).toEqual(['safety', 'scoreThreshold', 'bestOfN', 'safety']);
    expect(example.upstream.onnx!.path).toMatch(/test\/fixtures\/models\/tiny-chat$/);
    const doc = await readFile(new URL('../../docs/server.md', import.meta.url), 'utf8');
    const yaml = /```yaml\n([\s\S]*?)```/.exec(doc)![1]!;
    const reference = await loadConfig(await write('reference.yaml', yaml), { env: { NVIDIA_API_KEY: 'k', REWARDGATE_TOKEN: 't' } });
    expect(Object.keys(reference.scorers)).toEqual(['reward', 'local']);
    expect(reference.pipeline.map((step) => Object.keys(step)[0])).toEqual(['safety', 'toolPolicy', 'bestOfN', 'scoreThreshold']);
  });
});

describe('parseConfig', () => {
  it('accepts a config written in code, and a parsed config again', () => {
    const config = parseConfig({ upstream: { baseURL: 'http://127.0.0.1:9/v1', apiKey: 'k-1' }, listen: { port: 0 } }, { env: {} });
    expect(parseConfig(config, { env: {} }).upstream.apiKey?.reveal()).toBe('k-1');
  });

  it('does not let a variable value change the structure of the file', () => {
    const config = parseConfig({ upstream: { baseURL: 'http://127.0.0.1:9/v1', model: '${MODEL}' } }, { env: { MODEL: '{ injected: true }' } });
    expect(config.upstream.model).toBe('{ injected: true }');
  });
});
