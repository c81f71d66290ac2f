// What a local guard feeds its model for one conversation, and what it does when that is longer
// than the model takes: windows, a cut, dropped turns, or a GuardInputError (never a verdict).
import * as z from 'zod/mini';
import { turnText } from '../content.js';
import { GuardInputError } from '../errors.js';
import type { Message } from '../types.js';
import { fitTurns } from './conversation-fit.js';
import type { ChatTokenizer } from './tokenizer.js';
import { windowCount, windowSequences, type Frame } from './windows.js';

/**
 * What a local guard does with an input longer than its `maxLength` tokens:
 * - `'window'`: split it into overlapping windows of `maxLength` tokens, judge all of them in one
 *   batched run, and answer with the worst window (the default for prompt-injection classifiers);
 * - `'oldest-turns'`: drop the oldest turns (the judged exchange is never cut);
 * - `'keep-start'`: judge only the first `maxLength` tokens, as transformers' pipeline truncation
 *   does (text past them goes unjudged: padding a prompt hides what follows, prefer `'window'`);
 * - `'error'`: throw a GuardInputError (`context_length_exceeded`).
 */
export type GuardTruncation = 'window' | 'oldest-turns' | 'keep-start' | 'error';
export const GuardTruncationSchema = z.enum(['window', 'oldest-turns', 'keep-start', 'error']);

/** How one model reads conversations; fixed at load. */
export interface GuardReader {
  /** The guard's name in errors. */
  guard: string;
  tokenizer: ChatTokenizer;
  maxLength: number;
  /**
   * Plain-text models (no chat template): the special tokens around a text; the model judges the
   * last turn's text. Undefined: the model reads the whole conversation through its chat template.
   */
  textFrame: Frame | undefined;
  truncation: GuardTruncation;
  windowOverlap: number;
  maxWindows: number;
}

/** The sequences of one check, and how a long input was fitted. */
export interface GuardInput {
  sequences: number[][];
  /** Tokens of the whole input, specials included. */
  tokens: number;
  /** Turns dropped by `'oldest-turns'`, tokens left out by `'keep-start'`. */
  droppedTurns: number;
  droppedTokens: number;
}

/**
 * The token sequences that judge `messages`: one when it fits, else as `truncation` says.
 * Throws a GuardInputError when the input cannot be fitted.
 */
export function guardInput(reader: GuardReader, messages: Message[]): GuardInput {
  const { tokenizer, maxLength, textFrame, truncation } = reader;
  let frame: Frame;
  let body: number[];
  if (textFrame) {
    frame = textFrame;
    body = tokenizer.encode(turnText(messages[messages.length - 1]!));
  } else if (truncation === 'oldest-turns') {
    const fitted = fitTurns(tokenizer, messages, maxLength, true);
    if ('ids' in fitted) return { sequences: [fitted.ids], tokens: fitted.ids.length, droppedTurns: fitted.dropped, droppedTokens: 0 };
    throw tooLong(reader, fitted.tokens, `${fitted.detail}; ${WINDOW_HINT}`);
  } else {
    const ids = tokenizer.encodeChat(messages, { addGenerationPrompt: false });
    if (ids.length > maxLength && truncation === 'error') throw tooLong(reader, ids.length, `; ${WINDOW_HINT}, or 'oldest-turns' to drop the oldest turns`);
    // A leading BOS starts every window; the template's other tokens are text like any other.
    const bos = ids[0] !== undefined && ids[0] === tokenizer.bosTokenId ? [ids[0]] : [];
    frame = { prefix: bos, suffix: [] };
    body = ids.slice(bos.length);
  }
  const tokens = frame.prefix.length + body.length + frame.suffix.length;
  const whole = { tokens, droppedTurns: 0, droppedTokens: 0 };
  if (tokens <= maxLength) return { sequences: [[...frame.prefix, ...body, ...frame.suffix]], ...whole };
  const size = maxLength - frame.prefix.length - frame.suffix.length;
  if (truncation === 'keep-start') return { sequences: [[...frame.prefix, ...body.slice(0, size), ...frame.suffix]], ...whole, droppedTokens: tokens - maxLength };
  // Only plain-text models get here with 'error' or 'oldest-turns': their input is one turn.
  if (truncation !== 'window') throw tooLong(reader, tokens, ` (the judged text is one turn, never cut); ${WINDOW_HINT}`);
  const count = windowCount(body.length, size, reader.windowOverlap);
  if (count > reader.maxWindows) throw tooLong(reader, tokens, ` and needs ${count} windows, over maxWindows ${reader.maxWindows}`);
  return { sequences: windowSequences(body, frame, maxLength, reader.windowOverlap), ...whole };
}

const WINDOW_HINT = "pass truncation: 'window' to judge it in overlapping windows";

function tooLong(reader: GuardReader, tokens: number, detail: string): GuardInputError {
  return new GuardInputError(reader.guard, `${reader.guard}: the input is ${tokens} tokens, over the guard's maxLength ${reader.maxLength}${detail}`);
}
