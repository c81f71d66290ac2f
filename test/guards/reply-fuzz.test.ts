// Any reply string gives a verdict or the documented error (GuardConfigurationError,
// unreadable_reply), never a crash: for every LLM-backed guard, before and after a readable reply.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  contentSafetyReasoning,
  llamaGuard,
  nemoguard,
  nemotronSafetyGuard,
  topicControl,
  VerdictSchema,
  type ChatModel,
  type Guard,
  type GuardModelOptions,
} from '../../src/index.js';

// Pieces of the real formats, so that generated replies come near every parser branch.
const FRAGMENTS = [
  '<think>', '</think>', '```', '```json', '{', '}', '"', ':', ',', '\n', ' ', '[', ']',
  '"User Safety"', '"Response Safety"', '"Safety Categories"', 'User Safety', 'Response Safety', 'Safety Categories',
  'safe', 'unsafe', 'SAFE', 'Violence', 'S1', 'S23', 'S99', 'Guns and Illegal Weapons',
  'on-topic', 'off-topic', 'topic', 'Prompt harm', 'Response Harm', 'harmful', 'unharmful', 'None',
  '__proto__', 'constructor', '\u0000', '🙂', 'null', '1e999',
];
const reply = fc.oneof(
  fc.string({ maxLength: 200 }),
  fc.string({ unit: 'binary', maxLength: 100 }),
  fc.array(fc.constantFrom(...FRAGMENTS), { maxLength: 30 }).map((parts) => parts.join('')),
  fc.json(),
);

/** A ChatModel answering whatever `state.text` holds. */
function chatFor(state: { text: string }): ChatModel {
  return { generate: async () => ({ text: state.text, finishReason: 'stop' }), stream: () => (async function* () {})() };
}

const FIRST_READABLE: Record<string, string> = {
  nemoguard: '{"User Safety": "safe", "Response Safety": "safe"}',
  nemotronSafetyGuard: '{"User Safety": "safe", "Response Safety": "safe"}',
  llamaGuard: 'safe',
  topicControl: 'on-topic',
  contentSafetyReasoning: 'Prompt harm: unharmful\nResponse harm: unharmful',
};
const MAKERS: Record<string, (o: GuardModelOptions) => Guard> = {
  nemoguard: (o) => nemoguard(o),
  nemotronSafetyGuard: (o) => nemotronSafetyGuard(o),
  llamaGuard: (o) => llamaGuard(o),
  topicControl: (o) => topicControl({ ...o, rules: 'Cooking only.' }),
  contentSafetyReasoning: (o) => contentSafetyReasoning(o),
};

const conversations = [
  [{ role: 'user' as const, content: 'hi' }],
  [{ role: 'user' as const, content: 'hi' }, { role: 'assistant' as const, content: 'hello' }],
];

describe('guard replies, fuzzed', () => {
  for (const [name, make] of Object.entries(MAKERS)) {
    it(`${name}: a verdict or GuardConfigurationError(unreadable_reply) for any reply`, async () => {
      await fc.assert(
        fc.asyncProperty(reply, fc.boolean(), fc.constantFrom(...conversations), async (text, primed, conversation) => {
          const state = { text: FIRST_READABLE[name]! };
          const guard = make({ chat: chatFor(state) });
          if (primed) await guard.check(conversation);
          state.text = text;
          let verdict;
          try {
            verdict = await guard.check(conversation);
          } catch (error) {
            // Only before any reply was read, and only this error.
            expect(primed).toBe(false);
            expect(error).toMatchObject({ name: 'GuardConfigurationError', code: 'guard_misconfigured', failure: 'unreadable_reply', guard: name });
            return;
          }
          expect(VerdictSchema.safeParse(verdict).success).toBe(true);
          expect(verdict.raw).toBe(text);
          if (verdict.failedToParse) expect(verdict.safe).toBe(false);
        }),
        { numRuns: 150 },
      );
    });
  }
});
