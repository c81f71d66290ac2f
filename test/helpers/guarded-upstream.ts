// A real guarded pipeline for integration tests: the loopback OpenAI-compatible server behind the
// `openai` client (fromOpenAI), with best-of-n, a score threshold and safety rails. The fake
// server answers "Answer number <seed>." so a test can tell which candidate best-of-n chose:
// the scorer ranks answers by that number.
import OpenAI from 'openai';
import { messageText } from '../../src/content.js';
import { fromOpenAI } from '../../src/models/openai.js';
import { bestOfN } from '../../src/middleware/best-of-n/best-of-n.js';
import { pipeline } from '../../src/pipeline/pipeline.js';
import { safety } from '../../src/middleware/safety/safety.js';
import { scorerFromFunction } from '../../src/scorers/from-function.js';
import { guardFromFunction } from '../../src/guards/guard-from-function.js';
import type { GuardedModel } from '../../src/pipeline/types.js';
import { startOpenAIServer, type FakeOpenAIServer, type FakeReply } from './openai-server.js';

export const REFUSAL = 'Sorry, I cannot help with that.';

/** The number in "Answer number 7." (the scorer's rank), or -1. */
export function answerNumber(text: string): number {
  const m = /Answer number (\d+)/.exec(text);
  return m ? Number(m[1]) : -1;
}

export interface GuardedUpstream {
  server: FakeOpenAIServer;
  model: GuardedModel;
  /** The same upstream without middleware. */
  plain: ReturnType<typeof fromOpenAI>;
  close(): Promise<void>;
}

/**
 * Starts the loopback server and builds `safety` (blocks prompts saying "bomb" and answers saying
 * "forbidden") around `bestOfN({ n })`. `reply` may change the server's behaviour per request.
 */
export async function startGuardedUpstream(options: { n?: number; reply?: (body: any, index: number) => Partial<FakeReply> } = {}): Promise<GuardedUpstream> {
  const server = await startOpenAIServer((body, index) => ({ text: `Answer number ${body?.seed ?? 0}.`, ...options.reply?.(body, index) }));
  const openai = new OpenAI({ baseURL: server.baseURL, apiKey: 'test-key', maxRetries: 0 });
  const plain = fromOpenAI(openai, { model: 'fake-model' });
  const scorer = scorerFromFunction((conversation) => answerNumber(messageText(conversation.at(-1)!)));
  const guard = guardFromFunction((conversation) => {
    const last = conversation.at(-1)!;
    return !(last.role === 'user' ? /bomb/i.test(messageText(last)) : /forbidden/i.test(messageText(last)));
  });
  const model = pipeline(plain, [
    safety({ guard, refusal: REFUSAL }),
    bestOfN({ n: options.n ?? 3, scorer, sampling: { seed: 1 } }),
  ]);
  return { server, model, plain, close: () => server.close() };
}
