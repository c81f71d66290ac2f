// loadTokenizer on broken or unusual model folders: every problem names the file and what is wrong,
// and the chat template is found where transformers looks for it.
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ModelLoadError, ValidationError } from '../../src/errors.js';
import { loadTokenizer } from '../../src/onnx/tokenizer.js';
import type { Message } from '../../src/types.js';

const tiny = new URL('../fixtures/models/tiny-reward/', import.meta.url).pathname;
const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

const CONFIG = { bos_token: '<s>', eos_token: '</s>', pad_token: '<pad>' };
const hi: Message[] = [{ role: 'user', content: 'hi' }];

/** A model folder with the fixture's tokenizer.json plus `files` (a string is written as-is; null omits). */
async function folder(files: Record<string, unknown> = {}): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'rewardgate-tok-'));
  made.push(dir);
  const all: Record<string, unknown> = {
    'tokenizer.json': await readFile(join(tiny, 'tokenizer.json'), 'utf8'),
    'tokenizer_config.json': CONFIG,
    ...files,
  };
  for (const [name, content] of Object.entries(all)) {
    if (content === null) continue;
    await mkdir(join(dir, name, '..'), { recursive: true });
    await writeFile(join(dir, name), typeof content === 'string' ? content : JSON.stringify(content));
  }
  return dir;
}

async function loadError(dir: string): Promise<ModelLoadError> {
  const error = await loadTokenizer({ path: dir }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelLoadError);
  return error as ModelLoadError;
}

describe('missing and malformed files', () => {
  it('a missing folder names tokenizer.json as missing', async () => {
    const error = await loadError(join(tmpdir(), 'rewardgate-no-such-model'));
    expect(error.file).toMatch(/rewardgate-no-such-model\/tokenizer\.json$/);
    expect(error.message).toMatch(/tokenizer\.json is missing/);
  });

  it('a missing tokenizer_config.json is named', async () => {
    const error = await loadError(await folder({ 'tokenizer_config.json': null }));
    expect(error.file).toMatch(/tokenizer_config\.json$/);
    expect(error.message).toMatch(/is missing/);
  });

  it('malformed JSON names the file and the parse problem', async () => {
    const error = await loadError(await folder({ 'tokenizer_config.json': '{"bos_token": "<s>",' }));
    expect(error.file).toMatch(/tokenizer_config\.json$/);
    expect(error.message).toMatch(/tokenizer_config\.json is not valid JSON \(.+\)/);
  });

  it('JSON that is not an object, or a tokenizer.json without a model, is rejected', async () => {
    expect((await loadError(await folder({ 'tokenizer.json': '[1, 2]' }))).message).toMatch(/tokenizer\.json must hold a JSON object, got an array/);
    expect((await loadError(await folder({ 'tokenizer.json': { version: '1.0' } }))).message).toMatch(/tokenizer\.json has no "model"/);
  });

  it('an optional file is still checked when present', async () => {
    const bad = await loadError(await folder({ 'config.json': 'not json' }));
    expect(bad.file).toMatch(/config\.json$/);
    const ids = await loadError(await folder({ 'generation_config.json': { eos_token_id: 'x' } }));
    expect(ids.file).toMatch(/generation_config\.json$/);
    expect(ids.message).toMatch(/eos_token_id must be a token id or a list of token ids/);
  });

  it('a special token that is neither a string nor an AddedToken is named', async () => {
    const error = await loadError(await folder({ 'tokenizer_config.json': { ...CONFIG, bos_token: 7 } }));
    expect(error.message).toMatch(/bos_token must be a string or an AddedToken object/);
  });
});

describe('special token ids', () => {
  it('reads AddedToken objects and merges eos ids from generation_config.json and config.json', async () => {
    const dir = await folder({
      'tokenizer_config.json': { ...CONFIG, bos_token: { __type: 'AddedToken', content: '<s>', special: true } },
      'generation_config.json': { eos_token_id: [5, 2] },
      'config.json': { eos_token_id: 4, pad_token_id: 3 },
    });
    const tok = await loadTokenizer({ path: dir });
    expect(tok.bosTokenId).toBe(1);
    expect(tok.eosTokenIds).toEqual([5, 2, 4]);
    expect(tok.padTokenId).toBe(0); // tokenizer_config's <pad> wins over config.json
  });

  it('falls back to config ids when tokenizer_config.json names no token', async () => {
    const tok = await loadTokenizer({ path: await folder({ 'tokenizer_config.json': {}, 'config.json': { bos_token_id: 1, pad_token_id: 3 } }) });
    expect([tok.bosTokenId, tok.eosTokenIds, tok.padTokenId]).toEqual([1, [], 3]);
  });
});

describe('finding the chat template', () => {
  const T = (tag: string) => `${tag}{% for m in messages %}[{{ m.content }}]{% endfor %}`;

  it('reads chat_template from tokenizer_config.json when there is no chat_template.jinja', async () => {
    const tok = await loadTokenizer({ path: await folder({ 'tokenizer_config.json': { ...CONFIG, chat_template: T('cfg') } }) });
    expect(tok.render(hi)).toBe('cfg[hi]');
    expect(tok.chatTemplate).toBe(T('cfg'));
  });

  it('prefers chat_template.jinja over tokenizer_config.json', async () => {
    const dir = await folder({ 'tokenizer_config.json': { ...CONFIG, chat_template: T('cfg') }, 'chat_template.jinja': T('file') });
    expect((await loadTokenizer({ path: dir })).render(hi)).toBe('file[hi]');
  });

  it('picks "default" from a list of named templates, or the one asked for', async () => {
    const chat_template = [
      { name: 'tool_use', template: T('tools') },
      { name: 'default', template: T('default') },
    ];
    const dir = await folder({ 'tokenizer_config.json': { ...CONFIG, chat_template }, 'additional_chat_templates/rag.jinja': T('rag') });
    expect((await loadTokenizer({ path: dir })).render(hi)).toBe('default[hi]');
    expect((await loadTokenizer({ path: dir, chatTemplateName: 'tool_use' })).render(hi)).toBe('tools[hi]');
    expect((await loadTokenizer({ path: dir, chatTemplateName: 'rag' })).render(hi)).toBe('rag[hi]');
    const error = await loadTokenizer({ path: dir, chatTemplateName: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ModelLoadError);
    expect((error as Error).message).toMatch(/no chat template named "nope" \(it has: tool_use, default\)/);
  });

  it('a list without "default" fails when no name is given', async () => {
    const dir = await folder({ 'tokenizer_config.json': { ...CONFIG, chat_template: [{ name: 'a', template: 'x' }] } });
    expect((await loadError(dir)).message).toMatch(/no chat template named "default" \(it has: a\)/);
  });

  it('without any chat template, encode works and render says what is missing', async () => {
    const tok = await loadTokenizer({ path: await folder() });
    expect(tok.chatTemplate).toBeUndefined();
    expect(tok.encode('<s>hi')).toEqual(tok.encode('<s>').concat(tok.encode('hi')));
    expect(() => tok.render(hi)).toThrow(ModelLoadError);
    expect(() => tok.count(hi)).toThrow(/has no chat template \(no chat_template\.jinja, no chat_template in tokenizer_config\.json\)/);
  });
});

describe('template errors', () => {
  it('a template that does not parse fails at load, naming the file', async () => {
    const error = await loadError(await folder({ 'chat_template.jinja': '{% for m in messages %}{{ m.content }}' }));
    expect(error.file).toMatch(/chat_template\.jinja$/);
    expect(error.message).toMatch(/chat template in .*chat_template\.jinja does not parse/);
  });

  it('raise_exception becomes a ValidationError carrying the template message', async () => {
    const template = "{% if messages[0].role != 'system' %}{{ raise_exception('a system message must come first') }}{% endif %}ok";
    const tok = await loadTokenizer({ path: await folder({ 'chat_template.jinja': template }) });
    const error = (() => {
      try {
        tok.render(hi);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: '', message: 'the chat template refused them: a system message must come first' }]);
    expect(tok.render([{ role: 'system', content: 's' }])).toBe('ok');
  });

  it('a template failing at render time is a ModelLoadError naming the file', async () => {
    const tok = await loadTokenizer({ path: await folder({ 'chat_template.jinja': '{{ messages[0].content | no_such_filter }}' }) });
    expect(() => tok.render(hi)).toThrow(ModelLoadError);
    expect(() => tok.render(hi)).toThrow(/chat template in .*chat_template\.jinja failed: .*no_such_filter/);
  });

  it('invalid messages are a ValidationError with the zod path', async () => {
    const tok = await loadTokenizer({ path: tiny });
    expect(() => tok.render([{ role: 'robot', content: 'x' } as unknown as Message])).toThrow(/Invalid messages: \[0\]\.role/);
    expect(() => tok.encodeChat([])).toThrow(ValidationError);
  });
});

describe('template variables, as transformers passes them', () => {
  it('passes tools and documents as none, the special tokens, and caller variables', async () => {
    const template = '{{ tools is none }} {{ documents is none }} {{ bos_token }}{{ eos_token }}{{ pad_token }} {{ unk_token is defined }} {{ mood }}';
    const tok = await loadTokenizer({ path: await folder({ 'chat_template.jinja': template }) });
    expect(tok.render(hi, { variables: { mood: 'ok' } })).toBe('True True <s></s><pad> False ok');
  });

  it('pins strftime_now with the now option', async () => {
    const tok = await loadTokenizer({
      path: await folder({ 'chat_template.jinja': "Today Date: {{ strftime_now('%d %b %Y') }}" }),
      now: () => new Date(2024, 6, 26, 12),
    });
    expect(tok.render(hi)).toBe('Today Date: 26 Jul 2024');
  });
});

describe('continueFinalMessage', () => {
  it('fails with a ValidationError when the template drops the final message', async () => {
    const tok = await loadTokenizer({ path: await folder({ 'chat_template.jinja': '{{ messages[0].content }}' }) });
    const messages: Message[] = [{ role: 'user', content: 'first' }, { role: 'assistant', content: 'second' }];
    expect(() => tok.render(messages, { continueFinalMessage: true })).toThrow(ValidationError);
    expect(() => tok.render(messages, { continueFinalMessage: true })).toThrow(/final message does not appear/);
  });
});
