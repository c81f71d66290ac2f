// Paths and reference data of the fixture models, shared by the onnx tests.
import { cpSync, mkdtempSync, readFileSync, rmSync, chmodSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Message } from '../../src/types.js';

export const MODELS = 'test/fixtures/models';
export const REWARD = `${MODELS}/tiny-reward`;
export const GUARD = `${MODELS}/tiny-guard`;
export const CHAT = `${MODELS}/tiny-chat`;

export interface RewardCase {
  messages: Message[];
  input_ids: number[];
  score: number;
}
export interface GuardCase {
  messages: Message[];
  label: string;
  logits: number[];
}
export interface ChatCase {
  prompt_text: string;
  prompt_ids: number[];
  greedy_ids: number[];
  greedy_text: string;
}
export interface BenchRow {
  id: number;
  prompt: string;
  chosen: string;
  rejected: string;
  subset: string;
}

const json = (file: string) => JSON.parse(readFileSync(file, 'utf8')) as unknown;

export const rewardRefs = () => (json('test/fixtures/refs-reward.json') as { cases: RewardCase[] }).cases;
export const chatGuardRefs = () => json('test/fixtures/refs-chat-guard.json') as { guard: GuardCase[]; chat: ChatCase[]; guard_labels: string[] };
export const rewardBench = (): BenchRow[] =>
  readFileSync('test/fixtures/rewardbench-sample.jsonl', 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => JSON.parse(l) as BenchRow);

/** The user turn of a tiny-chat reference prompt (`<s><|user|>\n...</s>\n<|assistant|>\n`). */
export function chatPromptMessages(c: ChatCase): Message[] {
  const match = /^<s><\|user\|>\n([\s\S]*)<\/s>\n<\|assistant\|>\n$/.exec(c.prompt_text);
  if (!match) throw new Error(`unexpected prompt_text ${c.prompt_text}`);
  return [{ role: 'user', content: match[1]! }];
}

/** A writable copy of a fixture model folder (fixtures are read-only); `cleanup` removes it. */
export function copyModel(folder: string): { dir: string; cleanup: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'rewardgate-model-'));
  const dir = join(root, 'model');
  cpSync(folder, dir, { recursive: true });
  chmodSync(dir, 0o755);
  for (const f of ['config.json', 'model.onnx', 'tokenizer.json', 'tokenizer_config.json', 'chat_template.jinja']) {
    try {
      chmodSync(join(dir, f), 0o644);
    } catch {
      // not every folder has every file
    }
  }
  return { dir, cleanup: () => rmSync(root, { recursive: true, force: true }) };
}
