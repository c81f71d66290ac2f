// The agent rails' cost per agent step, side by side in one run against the same loopback
// OpenAI-compatible upstream (a tool-using model: given a question it calls get_weather, given
// that result get_time, given both it answers), with rewardgate's client as the model:
//  (a) an empty pipeline vs the plain client;
//  (b) toolPolicy alone (JSON Schema validation of each call) vs the empty pipeline, plus the
//      rule check itself in process;
//  (c) tool-call + tool-result rails (safety with toolResults) with a function guard, vs the empty
//      pipeline: once with an instant guard (the rails' own cost) and once with a guard taking
//      GUARD_MS (a guard service), against the time of its calls on the critical path.
// Steps are paired (one of each, in rotating order) so that load from elsewhere hits all alike;
// figures are medians of per-step differences. Goals: the policy under 0.1 ms per step, the rails
// adding nothing beyond their guard calls.
import { createClient } from '../src/client/create-client.js';
import { guardFromFunction } from '../src/guards/guard-from-function.js';
import { pipeline } from '../src/pipeline/pipeline.js';
import { safety } from '../src/middleware/safety/safety.js';
import { toolViolations } from '../src/middleware/tool-policy/tool-policy-check.js';
import { toolPolicy } from '../src/middleware/tool-policy/tool-policy.js';
import type { ChatModel } from '../src/interfaces.js';
import type { ChatRequest, Completion, Message } from '../src/types.js';
import { startAgentUpstream, TIME_TOOL, WEATHER_TOOL } from '../test/helpers/agent-upstream.js';

const GUARD_MS = 5;
const STEPS = Number(process.env.AGENT_BENCH_STEPS ?? 300);
const server = await startAgentUpstream();
const client = createClient({ baseURL: server.baseURL, apiKey: 'bench-key', maxRetries: 0 }).chatModel('fake-model');
const tools = [WEATHER_TOOL, TIME_TOOL];

// The three steps of the agent's loop, as an agent sends them (the second and third carry tool results).
const weatherCall = { id: 'call_weather', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };
const timeCall = { id: 'call_time', type: 'function' as const, function: { name: 'get_time', arguments: '{"tz":"Europe/Paris"}' } };
const user: Message = { role: 'user', content: 'Weather and time in Paris?' };
const steps: ChatRequest[] = [
  { messages: [user], tools },
  { messages: [user, { role: 'assistant', content: null, tool_calls: [weatherCall] }, { role: 'tool', tool_call_id: 'call_weather', content: 'sunny, 21°C' }], tools },
  {
    messages: [user, { role: 'assistant', content: null, tool_calls: [weatherCall] }, { role: 'tool', tool_call_id: 'call_weather', content: 'sunny, 21°C' }, { role: 'assistant', content: null, tool_calls: [timeCall] }, { role: 'tool', tool_call_id: 'call_time', content: '10:00' }],
    tools,
  },
];

let guardCalls = 0;
const instant = guardFromFunction(() => (guardCalls++, true));
const slow = guardFromFunction(async () => {
  guardCalls++;
  await new Promise((r) => setTimeout(r, GUARD_MS));
  return true;
});
const rails = (guard: typeof instant) => safety({ guard, toolResults: true, holdBack: 'all' });

const models: Record<string, ChatModel<Completion, { type: string }>> = {
  plain: client,
  empty: pipeline(client, []),
  policy: pipeline(client, [toolPolicy()]),
  rails: pipeline(client, [rails(instant)]),
  railsSlow: pipeline(client, [rails(slow)]),
};

async function step(model: ChatModel<Completion, { type: string }>, request: ChatRequest, streaming: boolean): Promise<number> {
  const t = performance.now();
  if (streaming) for await (const _ of model.stream(request)) void _;
  else await model.generate(request);
  return performance.now() - t;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const names = Object.keys(models);

// One guard round as the rails run it (the input and tool-result guards together), timed alone.
async function guardRound(request: ChatRequest): Promise<number> {
  const t = performance.now();
  await Promise.all(request.messages.map(() => slow.check(request.messages)));
  guardCalls -= request.messages.length;
  return performance.now() - t;
}

async function measure(streaming: boolean): Promise<Record<string, number[]>> {
  const times: Record<string, number[]> = Object.fromEntries([...names, 'round'].map((n) => [n, []]));
  for (let i = 0; i < 30; i++) for (const n of names) await step(models[n]!, steps[i % 3]!, streaming); // warm-up
  for (let i = 0; i < STEPS; i++) {
    const request = steps[i % 3]!;
    // Rotate the order so that no model always goes first.
    for (let k = 0; k < names.length; k++) {
      const n = names[(i + k) % names.length]!;
      times[n]!.push(await step(models[n]!, request, streaming));
    }
    times.round!.push(await guardRound(request));
  }
  return times;
}

const fmt = (ms: number) => `${ms.toFixed(3)} ms`;
const diff = (a: number[], b: number[]) => median(a.map((x, i) => x - b[i]!));

// Guard rounds on the critical path per step: the input and tool-result rails run together (one
// round), then the output rail judges the answer, its call and its reasoning together (one round).
const ROUNDS = 2;

for (const streaming of [false, true]) {
  guardCalls = 0;
  const t = await measure(streaming);
  const perStep = guardCalls / (2 * (STEPS + 30)); // two guarded models
  const slowAdded = diff(t.railsSlow!, t.empty!);
  console.log(`\n${streaming ? 'stream' : 'generate'} (${STEPS} steps each, median per step)`);
  console.log(`  plain client                          ${fmt(median(t.plain!))}`);
  console.log(`  (a) empty pipeline, added             ${fmt(diff(t.empty!, t.plain!))}`);
  console.log(`  (b) toolPolicy, added over empty      ${fmt(diff(t.policy!, t.empty!))}   (goal < 0.1 ms)`);
  console.log(`  (c) rails + instant guard, added      ${fmt(diff(t.rails!, t.empty!))}   (${perStep.toFixed(2)} guard calls per step)`);
  const round = median(t.round!);
  console.log(`      rails + ${GUARD_MS} ms guard, added        ${fmt(slowAdded)}   = ${(slowAdded / (ROUNDS * round)).toFixed(3)} x its ${ROUNDS} guard rounds (one round timed alone: ${fmt(round)})`);
}

// The rule check alone, in process: one answer with one call, the schema validator warm.
const call = { id: 'c', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };
const rules = { validateArguments: true };
for (let i = 0; i < 1000; i++) toolViolations([call], tools, rules);
const N = 100_000;
const t0 = performance.now();
for (let i = 0; i < N; i++) toolViolations([call], tools, rules);
console.log(`\ntool policy rule check in process: ${(((performance.now() - t0) / N) * 1000).toFixed(2)} µs per call`);

await server.close();
