// Config validation closes every door: prototype keys, unset variables, odd model folders.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelLoadError, ValidationError } from '../../src/errors.js';
import { readModelFolder } from '../../src/onnx/model-folder.js';
import { buildFromConfig, loadConfig, parseConfig } from '../../src/server/index.js';

const dir = mkdtempSync(join(tmpdir(), 'rg-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const upstream = { baseURL: 'http://127.0.0.1:8000/v1' };

function issuesOf(run: () => unknown): Array<{ path: string; message: string }> {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return [...(error as ValidationError).issues];
  }
  throw new Error('expected a ValidationError');
}

describe('config validation', () => {
  it('refuses __proto__ keys from JSON, YAML and object literals, naming the path', async () => {
    const fromJson = JSON.parse('{"upstream":{"baseURL":"http://127.0.0.1:8000/v1"},"listen":{"__proto__":{"host":"0.0.0.0"}}}');
    expect(issuesOf(() => parseConfig(fromJson))[0]!.path).toBe('listen.__proto__');
    // In code, `__proto__:` sets the prototype: its keys would be inherited by the schema.
    const smuggled = { upstream: { __proto__: { apiKey: 'smuggled-key-123' }, baseURL: upstream.baseURL } };
    expect(issuesOf(() => parseConfig(smuggled))[0]!.path).toBe('upstream');
    const file = join(dir, 'proto.yaml');
    writeFileSync(file, 'upstream: { baseURL: http://127.0.0.1:8000/v1 }\nlisten: { __proto__: { host: 0.0.0.0 } }\n');
    const error = await loadConfig(file).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues[0]!.path).toBe('listen.__proto__');
  });

  it('names an unset ${VAR} when the object around it fails', () => {
    const [issue] = issuesOf(() => parseConfig({ upstream: { baseURL: '${RG_TEST_UNSET_URL}' } }, { env: {} }));
    expect(issue!.path).toBe('upstream');
    expect(issue!.message).toContain('RG_TEST_UNSET_URL');
  });

  it('accepts the options of the code under the same names (safety holdBack, throwOnRefusal; limits; listen options)', () => {
    const config = parseConfig({
      upstream,
      guards: { g: { nemoguard: {} } },
      pipeline: [{ safety: { guard: 'g', holdBack: 200, throwOnRefusal: true } }],
      limits: { maxAnswerBytes: 1024, maxAnswerChars: 100 },
      listen: { timeouts: { headersMs: 1000, bodyMs: 2000, idleMs: 3000 }, cors: { origins: ['https://a.example'] }, report: 'full', accessLog: { prompts: true }, metrics: false, passThrough: ['/v1/embeddings'], workers: 2 },
    });
    expect(config.pipeline[0]!.safety).toMatchObject({ holdBack: 200, throwOnRefusal: true });
    const [bad] = issuesOf(() => parseConfig({ upstream, guards: { g: { nemoguard: {} } }, pipeline: [{ safety: { guard: 'g', holdBack: 'paragraph' } }] }));
    expect(bad!.path).toBe('pipeline[0].safety.holdBack');
  });
});

describe('model folders', () => {
  it('refuses a FIFO named model.onnx or config.json instead of blocking on it', async () => {
    const folder = join(dir, 'fifo-model');
    execFileSync('mkdir', ['-p', folder]);
    execFileSync('mkfifo', [join(folder, 'model.onnx')]);
    const error = await readModelFolder(folder).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toContain('not a regular file');

    const other = join(dir, 'fifo-config');
    execFileSync('mkdir', ['-p', other]);
    writeFileSync(join(other, 'model.onnx'), '');
    execFileSync('mkfifo', [join(other, 'config.json')]);
    const configError = await readModelFolder(other).catch((e: unknown) => e);
    expect(configError).toBeInstanceOf(ModelLoadError);
    expect((configError as Error).message).toContain('not a regular file');
  });

  it('says a model folder that cannot be listed cannot be read, not that its files are missing', async () => {
    const notFolder = join(dir, 'a-file');
    writeFileSync(notFolder, 'x');
    const error = await buildFromConfig({ upstream: { onnx: { path: notFolder } } }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toContain('is not a folder');
    expect((error as Error).message).not.toContain('missing');
  });
});
