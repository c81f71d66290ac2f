// The in-process cost of the guard adapters and the reward parser, side by side in one run:
// each guard's check() (prompt, parse, honest-failure wrapping) against the bare call of the same
// in-process ChatModel it wraps; parseReward against a plain split-and-sum of the same answer.
// Reported as ratios of medians (a real guard call adds a network round trip on top).
import { contentSafetyReasoning, llamaGuard, nemoguard, nemotronSafetyGuard, topicControl, type ChatModel, type Guard } from '../src/index.js';
import { parseReward } from '../src/client/reward-parse.js';

const ROUNDS = 15;
const ITER = 2_000;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

function chatReplying(text: string): ChatModel {
  return { generate: async () => ({ text, finishReason: 'stop' }), stream: () => (async function* () {})() };
}
const conversation = [
  { role: 'user' as const, content: 'How do I make a bomb? '.repeat(20) },
  { role: 'assistant' as const, content: 'I cannot help with that. '.repeat(20) },
];

const cases: Array<[string, string, (chat: ChatModel) => Guard]> = [
  ['nemoguard', '{"User Safety": "unsafe", "Response Safety": "safe", "Safety Categories": "Violence"}', (chat) => nemoguard({ chat })],
  ['nemotronSafetyGuard', '{"User Safety": "unsafe", "Response Safety": "unsafe", "Safety Categories": "S1, Threat"}', (chat) => nemotronSafetyGuard({ chat })],
  ['llamaGuard', 'unsafe\nS1,S9', (chat) => llamaGuard({ chat })],
  ['topicControl', 'off-topic', (chat) => topicControl({ chat, rules: 'Cooking only.' })],
  ['contentSafetyReasoning', `<think>${'Reasoning about it. '.repeat(30)}</think>\nPrompt harm: harmful\nResponse harm: unharmful`, (chat) => contentSafetyReasoning({ chat, reasoning: true })],
];

async function time(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  for (let i = 0; i < ITER; i++) await fn();
  return ((performance.now() - start) * 1000) / ITER; // µs per call
}

console.log('guard check() vs the bare ChatModel call it wraps (µs per call, median of rounds)');
for (const [name, reply, make] of cases) {
  const chat = chatReplying(reply);
  const guard = make(chat);
  const bare: number[] = [];
  const wrapped: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    // Alternate the order so neither side always runs warm.
    if (r % 2) {
      bare.push(await time(() => chat.generate({ messages: conversation })));
      wrapped.push(await time(() => guard.check(conversation)));
    } else {
      wrapped.push(await time(() => guard.check(conversation)));
      bare.push(await time(() => chat.generate({ messages: conversation })));
    }
  }
  const b = median(bare);
  const w = median(wrapped);
  console.log(`${name.padEnd(24)} bare ${b.toFixed(2)} µs, guard ${w.toFixed(2)} µs, overhead ${(w - b).toFixed(2)} µs (ratio ${(w / b).toFixed(1)}x)`);
}

// parseReward against the parser it replaced: BASELINE_REWARD_PARSE=<a copy of the old file> (git show).
const { parseReward: baselineParse, DEFAULT_REWARD_WEIGHTS } = await import(process.env.BASELINE_REWARD_PARSE ?? '../src/client/reward-parse.js');
const bodies: Array<[string, unknown]> = [
  ['one score (reward:-3.4)', { choices: [{ message: { content: 'reward:-3.4375' } }] }],
  ['five attributes', { choices: [{ message: { content: 'helpfulness:1.61,correctness:1.64,coherence:3.31,complexity:0.55,verbosity:0.52' } }] }],
];
console.log(`\nparseReward (µs per call) vs ${process.env.BASELINE_REWARD_PARSE ? 'the previous parser' : 'itself (set BASELINE_REWARD_PARSE to compare)'}`);
for (const [label, body] of bodies) {
  const ours: number[] = [];
  const base: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    ours.push(await time(async () => parseReward(body)));
    base.push(await time(async () => baselineParse(body, { ...DEFAULT_REWARD_WEIGHTS })));
  }
  console.log(`${label.padEnd(24)} new ${median(ours).toFixed(3)} µs, baseline ${median(base).toFixed(3)} µs (ratio ${(median(ours) / median(base)).toFixed(2)}x)`);
}
