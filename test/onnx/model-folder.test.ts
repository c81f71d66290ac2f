import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ModelLoadError } from '../../src/errors.js';
import { loadChatModel, loadScorer } from '../../src/onnx/index.js';
import { CHAT, REWARD, copyModel } from './fixtures.js';

const copies: Array<() => void> = [];
afterEach(() => copies.splice(0).forEach((cleanup) => cleanup()));
function copy(folder: string): string {
  const { dir, cleanup } = copyModel(folder);
  copies.push(cleanup);
  return dir;
}

async function loadError(load: Promise<unknown>): Promise<ModelLoadError> {
  const error = await load.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ModelLoadError);
  return error as ModelLoadError;
}

describe('model folder loading', () => {
  it('a missing model.onnx names the file', async () => {
    const dir = copy(REWARD);
    rmSync(join(dir, 'model.onnx'));
    const error = await loadError(loadScorer({ path: dir, device: 'cpu' }));
    expect(error.file).toBe(join(dir, 'model.onnx'));
    expect(error.message).toMatch(/model\.onnx is missing/);
  });

  it('a missing or malformed config.json names the file and the problem', async () => {
    const dir = copy(REWARD);
    rmSync(join(dir, 'config.json'));
    expect((await loadError(loadScorer({ path: dir, device: 'cpu' }))).file).toBe(join(dir, 'config.json'));
    writeFileSync(join(dir, 'config.json'), '{ "id2label": ');
    const bad = await loadError(loadScorer({ path: dir, device: 'cpu' }));
    expect(bad.message).toMatch(/config\.json is not valid JSON/);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ id2label: { 0: 'a', 2: 'b' }, pad_token_id: 0 }));
    expect((await loadError(loadScorer({ path: dir, device: 'cpu' }))).message).toMatch(/config\.json: id2label indices must run 0\.\.1; index 1 is missing/);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ pad_token_id: 'zero' }));
    expect((await loadError(loadScorer({ path: dir, device: 'cpu' }))).message).toMatch(/config\.json is malformed: pad_token_id/);
  });

  it('a corrupt model.onnx is a ModelLoadError naming it', async () => {
    const dir = copy(REWARD);
    writeFileSync(join(dir, 'model.onnx'), 'not a protobuf');
    const error = await loadError(loadScorer({ path: dir, device: 'cpu' }));
    expect(error.file).toBe(join(dir, 'model.onnx'));
    expect(error.message).toMatch(/Cannot load .*model\.onnx on cpu/);
  });

  it('a missing tokenizer.json names the file', async () => {
    const dir = copy(REWARD);
    rmSync(join(dir, 'tokenizer.json'));
    const error = await loadError(loadScorer({ path: dir, device: 'cpu' }));
    expect(error.file ?? error.message).toMatch(/tokenizer\.json/);
  });

  it('a logits shape that does not match id2label fails at load, with both shapes', async () => {
    const dir = copy(REWARD);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ id2label: { 0: 'a', 1: 'b' }, pad_token_id: 0 }));
    const error = await loadError(loadScorer({ path: dir, device: 'cpu' }));
    expect(error.message).toMatch(/has shape \[1, 1\]; expected \[1, 2\]/);
    expect(error.file).toBe(join(dir, 'model.onnx'));
  });

  it('reads the chat template from tokenizer_config.json when there is no chat_template.jinja', async () => {
    const dir = copy(CHAT);
    const template = "{{ bos_token }}{% for m in messages %}<|{{ m['role'] }}|>\n{{ m['content'] }}{{ eos_token }}\n{% endfor %}";
    rmSync(join(dir, 'chat_template.jinja'));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ bos_token: '<s>', eos_token: '</s>', pad_token: '<pad>', chat_template: template }));
    const chat = await loadChatModel({ path: dir, device: 'cpu' });
    try {
      const c = await chat.generate({ messages: [{ role: 'user', content: 'How do I bake bread?' }], temperature: 0, max_tokens: 3 });
      expect(c.usage!.promptTokens).toBe(14);
      expect(c.text).toBe('Sure! To');
    } finally {
      await chat.close();
    }
  });
});
