// Hand-written checks that accept exactly what WireCompletionSchema / WireChunkSchema accept, for
// the common well-formed body: zod then runs only on a body that fails here, to name the problem.
// A completion is checked once per call and a chunk once per stream event, so this is hot.
import type { WireChunk, WireCompletion } from './chat-wire.js';

type Rec = Record<string, unknown>;

const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const optString = (v: unknown) => v === undefined || typeof v === 'string';
const nullishString = (v: unknown) => v === undefined || v === null || typeof v === 'string';
const optNumber = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v));

function isUsage(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  return isRecord(v) && optNumber(v.prompt_tokens) && optNumber(v.completion_tokens) && optNumber(v.total_tokens);
}

/** True when `body` is a chat completion of the expected shape. */
export function isWireCompletion(body: unknown): body is WireCompletion {
  if (!isRecord(body) || !optString(body.id) || !optString(body.model) || !isUsage(body.usage)) return false;
  const { choices } = body;
  if (!Array.isArray(choices) || choices.length === 0) return false;
  for (const c of choices) {
    if (!isRecord(c) || !isRecord(c.message) || !nullishString(c.message.content) || !nullishString(c.finish_reason)) return false;
  }
  return true;
}

/** True when `json` is a stream chunk of the expected shape. */
export function isWireChunk(json: unknown): json is WireChunk {
  if (!isRecord(json) || !optString(json.id) || !optString(json.model) || !isUsage(json.usage)) return false;
  const { choices } = json;
  if (choices === undefined) return true;
  if (!Array.isArray(choices)) return false;
  for (const c of choices) {
    if (!isRecord(c) || !nullishString(c.finish_reason)) return false;
    const { delta } = c;
    if (delta !== undefined && delta !== null && !(isRecord(delta) && nullishString(delta.content))) return false;
  }
  return true;
}
