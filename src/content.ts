// The rules every layer needs about message content, in one place: the text of a turn, the text a
// guard or scorer reads from a turn with parts or tool calls, and an answer as an assistant turn.
import type { Completion, ContentPart, Message, ToolCall } from './types.js';

/**
 * The text of a message's content: the string itself, its text parts joined (other parts carry no
 * text), or '' for null. Tool calls and reasoning are not part of it (see {@link turnText}).
 *
 * @example
 * messageText({ role: 'user', content: [{ type: 'text', text: 'Hi' }, { type: 'image_url', image_url: { url } }] }); // 'Hi'
 */
export function messageText(message: Pick<Message, 'content'>): string {
  const { content } = message;
  if (typeof content === 'string') return content;
  if (!content) return '';
  let text = '';
  for (const part of content) if (isTextPart(part)) text += part.text;
  return text;
}

function isTextPart(part: ContentPart): part is { type: 'text'; text: string } {
  return part.type === 'text' && typeof (part as { text?: unknown }).text === 'string';
}

/**
 * A tool call as text, in the one documented form guards and text-only reward models read:
 * `<tool_call>\n{"name": "NAME", "arguments": ARGS}\n</tool_call>`, where ARGS is the model's
 * argument text as it is (a malformed call stays malformed, so a judge sees what would run).
 *
 * @example
 * toolCallText({ id: 'c1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } });
 * // '<tool_call>\n{"name": "get_weather", "arguments": {"city":"Paris"}}\n</tool_call>'
 */
export function toolCallText(call: ToolCall): string {
  const args = call.function.arguments.trim() === '' ? '{}' : call.function.arguments;
  return `<tool_call>\n{"name": ${JSON.stringify(call.function.name)}, "arguments": ${args}}\n</tool_call>`;
}

/** Options of {@link turnText}. */
export interface TurnTextOptions {
  /** Include the turn's reasoning first, between `<think>` tags (default false). */
  reasoning?: boolean;
}

/**
 * The text a guard or a text-only scorer reads from one turn: its content text, then each tool
 * call in the {@link toolCallText} form, one per line. Reasoning is left out unless asked.
 *
 * @example
 * turnText({ role: 'assistant', content: null, tool_calls: [call] }); // '<tool_call>\n...\n</tool_call>'
 */
export function turnText(message: Message, options: TurnTextOptions = {}): string {
  const pieces: string[] = [];
  if (options.reasoning && message.reasoning) pieces.push(`<think>\n${message.reasoning}\n</think>`);
  const text = messageText(message);
  if (text !== '') pieces.push(text);
  for (const call of message.tool_calls ?? []) pieces.push(toolCallText(call));
  return pieces.join('\n');
}

/**
 * A completion as the assistant turn it adds to the conversation: its text (null when it only
 * calls tools, as OpenAI writes it), its tool calls, and its reasoning when `reasoning` is set.
 *
 * @example
 * const next = [...messages, answerTurn(completion)];
 */
export function answerTurn(completion: Pick<Completion, 'text' | 'toolCalls' | 'reasoning'>, options: TurnTextOptions = {}): Message {
  const calls = completion.toolCalls;
  const turn: Message = { role: 'assistant', content: calls?.length && completion.text === '' ? null : completion.text };
  if (calls?.length) turn.tool_calls = calls;
  if (options.reasoning && completion.reasoning) turn.reasoning = completion.reasoning;
  return turn;
}

/**
 * The conversation with `completion` appended as its last, assistant turn: what a scorer scores
 * and what an output guard judges.
 *
 * @example
 * await scorer.score([withAnswer(request.messages, completion)]);
 */
export function withAnswer(messages: readonly Message[], completion: Pick<Completion, 'text' | 'toolCalls' | 'reasoning'>, options: TurnTextOptions = {}): Message[] {
  return [...messages, answerTurn(completion, options)];
}

/**
 * A key that is equal for equal answers (text and tool calls): used to score each distinct answer
 * once, and to tell whether a judged answer is the one being returned.
 */
export function answerKey(completion: Pick<Completion, 'text' | 'toolCalls'>): string {
  const calls = completion.toolCalls;
  if (!calls?.length) return completion.text;
  return `${completion.text}\u0000${calls.map((c) => `${c.function.name}\u0001${c.function.arguments}`).join('\u0000')}`;
}

/** The message with only the fields an OpenAI-style server accepts (reasoning is not sent back). */
export function toWireMessage(message: Message): Omit<Message, 'reasoning'> {
  if (message.reasoning === undefined) return message;
  const { reasoning: _reasoning, ...rest } = message;
  return rest;
}
