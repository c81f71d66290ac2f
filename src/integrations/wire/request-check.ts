// A hand-written check that accepts only bodies OpenAIChatBodySchema accepts, for the common
// chat request (text turns, sampling fields, stream options): the proxy parses one per request,
// and zod costs more than the rest of the wire mapping. Anything else (content parts, tool calls,
// tools, a tool turn, a bad value) fails here and goes to zod, which also names the problem.
import type { OpenAIChatBody } from './request.js';

type Rec = Record<string, unknown>;

const isRecord = (v: unknown): v is Rec => typeof v === 'object' && v !== null && !Array.isArray(v);
const isAbsent = (v: unknown) => v === undefined || v === null;
const nullishString = (v: unknown) => isAbsent(v) || typeof v === 'string';
const nullishBoolean = (v: unknown) => isAbsent(v) || typeof v === 'boolean';
const inRange = (v: unknown, low: number, high: number) => isAbsent(v) || (typeof v === 'number' && Number.isFinite(v) && v >= low && v <= high);
const nullishInt = (v: unknown, low = -Infinity, high = Infinity) => isAbsent(v) || (Number.isSafeInteger(v) && (v as number) >= low && (v as number) <= high);

const TEXT_ROLES = new Set(['system', 'developer', 'user', 'assistant']);
const EFFORTS = new Set(['none', 'minimal', 'low', 'medium', 'high']);
// Fields whose values the check leaves to zod: present and not null, the body goes there.
const TO_ZOD = ['tools', 'tool_choice', 'response_format', 'functions'] as const;

// A text turn: a string content, no tool calls, not a tool turn (extra keys are dropped by the schema and by toMessage alike).
function isTextTurn(m: unknown): boolean {
  if (!isRecord(m) || typeof m.role !== 'string' || !TEXT_ROLES.has(m.role) || typeof m.content !== 'string') return false;
  return (m.name === undefined || typeof m.name === 'string') && isAbsent(m.tool_calls) && m.tool_call_id === undefined && nullishString(m.reasoning_content) && nullishString(m.reasoning);
}

function isStop(v: unknown): boolean {
  if (isAbsent(v) || typeof v === 'string') return true;
  if (!Array.isArray(v) || v.length > 16) return false;
  for (const s of v) if (typeof s !== 'string') return false;
  return true;
}

/**
 * True when `body` is a chat request of the common shape that OpenAIChatBodySchema accepts as
 * it is. A plain JSON object only (no `__proto__` key, no other prototype), so reading it is
 * reading what zod would have read.
 */
export function isPlainChatBody(body: unknown): body is OpenAIChatBody {
  if (!isRecord(body) || Object.getPrototypeOf(body) !== Object.prototype || Object.hasOwn(body, '__proto__')) return false;
  const { messages } = body;
  if (!Array.isArray(messages) || messages.length === 0) return false;
  for (const m of messages) if (!isTextTurn(m)) return false;
  for (const key of TO_ZOD) if (!isAbsent(body[key])) return false;
  const options = body.stream_options;
  return (
    (body.model === undefined || (typeof body.model === 'string' && body.model.length > 0)) &&
    inRange(body.temperature, 0, 2) &&
    inRange(body.top_p, Number.MIN_VALUE, 1) &&
    nullishInt(body.max_tokens, 1) &&
    nullishInt(body.max_completion_tokens, 1) &&
    nullishInt(body.seed) &&
    isStop(body.stop) &&
    (isAbsent(body.n) || body.n === 1) &&
    nullishBoolean(body.stream) &&
    (isAbsent(options) || (isRecord(options) && nullishBoolean(options.include_usage))) &&
    nullishBoolean(body.parallel_tool_calls) &&
    nullishBoolean(body.logprobs) &&
    nullishInt(body.top_logprobs, 0, 20) &&
    (isAbsent(body.reasoning_effort) || (typeof body.reasoning_effort === 'string' && EFFORTS.has(body.reasoning_effort)))
  );
}
