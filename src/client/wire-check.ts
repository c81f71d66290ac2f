// Hand-written checks that accept exactly what WireCompletionSchema / WireChunkSchema accept, for
// the common well-formed body: zod then runs only on a body that fails here, to name the problem.
// A completion is checked once per call and a chunk once per stream event, so this is hot.
// Streamed tool-call pieces (every chunk of an agent's call) are checked here too; whole tool
// calls (once per answer) and logprobs (only when asked) are rarer and nested: they go to zod.
import type { WireChunk, WireCompletion } from '../wire/openai-shape.js';

type Rec = Record<string, unknown>;

const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const optString = (v: unknown) => v === undefined || typeof v === 'string';
const nullishString = (v: unknown) => v === undefined || v === null || typeof v === 'string';
const optNumber = (v: unknown) => v === undefined || (typeof v === 'number' && Number.isFinite(v));

function isUsage(v: unknown): boolean {
  if (v === undefined || v === null) return true;
  return isRecord(v) && optNumber(v.prompt_tokens) && optNumber(v.completion_tokens) && optNumber(v.total_tokens);
}

const isAbsent = (v: unknown) => v === undefined || v === null;

// Text and reasoning only (a message); its tool calls are left to zod.
function isPlainTurn(m: Rec): boolean {
  return nullishString(m.content) && nullishString(m.reasoning_content) && nullishString(m.reasoning) && isAbsent(m.tool_calls);
}

// A delta: text, reasoning, and tool-call pieces (WireToolCallDeltaSchema).
function isDelta(m: Rec): boolean {
  if (!(nullishString(m.content) && nullishString(m.reasoning_content) && nullishString(m.reasoning))) return false;
  const calls = m.tool_calls;
  if (isAbsent(calls)) return true;
  if (!Array.isArray(calls)) return false;
  for (const call of calls) if (!isCallPiece(call)) return false;
  return true;
}

function isCallPiece(c: unknown): boolean {
  if (!isRecord(c) || !nullishString(c.id) || !nullishString(c.type)) return false;
  if (c.index !== undefined && !(Number.isSafeInteger(c.index) && (c.index as number) >= 0)) return false;
  const fn = c.function;
  return isAbsent(fn) || (isRecord(fn) && nullishString(fn.name) && nullishString(fn.arguments));
}

/** True when `body` is a chat completion of the expected shape. */
export function isWireCompletion(body: unknown): body is WireCompletion {
  if (!isRecord(body) || !optString(body.id) || !optString(body.model) || !isUsage(body.usage)) return false;
  const { choices } = body;
  if (!Array.isArray(choices) || choices.length === 0) return false;
  for (const c of choices) {
    if (!isRecord(c) || !isRecord(c.message) || !isPlainTurn(c.message) || !nullishString(c.finish_reason) || !isAbsent(c.logprobs)) return false;
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
    if (!isRecord(c) || !nullishString(c.finish_reason) || !isAbsent(c.logprobs)) return false;
    const { delta } = c;
    if (delta !== undefined && delta !== null && !(isRecord(delta) && isDelta(delta))) return false;
  }
  return true;
}
