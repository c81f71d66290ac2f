// The special tokens a tokenizer puts around one plain text (`tokenizer(text)` in transformers):
// read from tokenizer.json's post_processor, so `[CLS] text [SEP]` (BERT, DeBERTa: Prompt Guard),
// `<s> text </s>` (RoBERTa) or a lone BOS come out exactly as the model was trained on them.
import { join } from 'node:path';
import { ModelLoadError } from '../errors.js';
import type { Frame } from './windows.js';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The prefix and suffix ids of a single sequence under `postProcessor` (tokenizer.json's
 * `post_processor`; null adds nothing). An unknown processor type is a ModelLoadError naming it.
 *
 * @example
 * textFrame({ type: 'BertProcessing', cls: ['[CLS]', 101], sep: ['[SEP]', 102] }, dir); // { prefix: [101], suffix: [102] }
 */
export function textFrame(postProcessor: unknown, dir: string): Frame {
  const file = join(dir, 'tokenizer.json');
  const fail = (what: string) => new ModelLoadError(`tokenizer.json: post_processor ${what}`, { file });
  const frameOf = (p: unknown): { prefix: number[]; suffix: number[] } => {
    if (p === null || p === undefined) return { prefix: [], suffix: [] };
    if (!isObject(p)) throw fail('must be an object or null');
    switch (p.type) {
      case 'TemplateProcessing':
        return template(p, fail);
      case 'BertProcessing':
      case 'RobertaProcessing':
        return { prefix: [pairId(p.cls, 'cls', fail)], suffix: [pairId(p.sep, 'sep', fail)] };
      case 'ByteLevel':
        return { prefix: [], suffix: [] };
      case 'Sequence': {
        if (!Array.isArray(p.processors)) throw fail('of type Sequence has no processors list');
        // Each processor wraps what the ones before it made.
        const frame = { prefix: [] as number[], suffix: [] as number[] };
        for (const inner of p.processors) {
          const f = frameOf(inner);
          frame.prefix = [...f.prefix, ...frame.prefix];
          frame.suffix = [...frame.suffix, ...f.suffix];
        }
        return frame;
      }
      default:
        throw fail(`has type ${JSON.stringify(p.type)}, which rewardgate cannot apply (known: TemplateProcessing, BertProcessing, RobertaProcessing, ByteLevel, Sequence)`);
    }
  };
  return frameOf(postProcessor);
}

function template(p: Json, fail: (what: string) => Error): { prefix: number[]; suffix: number[] } {
  if (!Array.isArray(p.single)) throw fail('of type TemplateProcessing has no "single" template');
  const specials = isObject(p.special_tokens) ? p.special_tokens : {};
  const prefix: number[] = [];
  const suffix: number[] = [];
  let seen = false;
  for (const piece of p.single) {
    if (isObject(piece) && isObject(piece.Sequence)) {
      seen = true;
      continue;
    }
    const name = isObject(piece) && isObject(piece.SpecialToken) ? piece.SpecialToken.id : undefined;
    const entry = typeof name === 'string' && Object.hasOwn(specials, name) ? specials[name] : undefined;
    const ids = isObject(entry) ? entry.ids : undefined;
    if (!Array.isArray(ids) || !ids.every((id) => Number.isInteger(id) && id >= 0)) {
      throw fail(`template piece ${JSON.stringify(piece)} names no special token with ids in special_tokens`);
    }
    (seen ? suffix : prefix).push(...(ids as number[]));
  }
  if (!seen) throw fail('single template has no $A sequence');
  return { prefix, suffix };
}

function pairId(value: unknown, key: string, fail: (what: string) => Error): number {
  const id = Array.isArray(value) ? value[1] : undefined;
  if (!Number.isInteger(id) || (id as number) < 0) throw fail(`${key} must be [token, id]`);
  return id as number;
}
