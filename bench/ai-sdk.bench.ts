// rewardgate/ai-sdk's cost, side by side in one run: the AI SDK's OpenAI-compatible provider
// against the loopback server, plain vs wrapped in a pass-through rewardgate middleware, for
// generateText and streamText, a text answer and a two-step tool loop. Paired requests (order
// flipped each pair), medians of per-call latencies.
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, jsonSchema, type LanguageModel, stepCountIs, streamText, tool, wrapLanguageModel } from 'ai';
import { rewardgate } from '../src/integrations/ai-sdk.js';
import { startOpenAIServer } from '../test/helpers/openai-server.js';

const server = await startOpenAIServer((body) => {
  if (!body?.tools) return { text: 'Hello from the fake server, a short answer of some words.' };
  if (body.messages.some((m: { role: string }) => m.role === 'tool')) return { text: 'It is sunny in Paris.' };
  return { text: '', reasoning: 'The user wants the weather.', toolCalls: [{ id: 'call_1', name: 'weather', arguments: '{"city":"Paris"}' }] };
});
const plain = createOpenAICompatible({ name: 'fake', baseURL: server.baseURL, apiKey: 'bench-key' }).chatModel('fake-model');
const wrapped = wrapLanguageModel({ model: plain, middleware: rewardgate({ middleware: [] }) });
const weather = tool({
  inputSchema: jsonSchema<{ city: string }>({ type: 'object', properties: { city: { type: 'string' } } }),
  execute: async () => ({ forecast: 'sunny' }),
});
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

type Case = (model: LanguageModel) => Promise<unknown>;
const cases: Array<[string, Case]> = [
  ['generateText, text answer', (model) => generateText({ model, prompt: 'Say hello.' })],
  ['streamText, text answer', async (model) => {
    for await (const _ of streamText({ model, prompt: 'Say hello.' }).fullStream) void _;
  }],
  ['generateText, 2-step tool loop', (model) => generateText({ model, prompt: 'Weather?', tools: { weather }, stopWhen: stepCountIs(3) })],
  ['streamText, 2-step tool loop', async (model) => {
    for await (const _ of streamText({ model, prompt: 'Weather?', tools: { weather }, stopWhen: stepCountIs(3) }).fullStream) void _;
  }],
];

async function once(run: Case, model: LanguageModel): Promise<number> {
  const t = performance.now();
  await run(model);
  return performance.now() - t;
}
async function paired(run: Case, n: number): Promise<[number[], number[]]> {
  const a: number[] = [], b: number[] = [];
  for (let i = 0; i < n; i++) {
    if (i % 2) {
      b.push(await once(run, wrapped));
      a.push(await once(run, plain));
    } else {
      a.push(await once(run, plain));
      b.push(await once(run, wrapped));
    }
  }
  return [a, b];
}

const rows: Array<[string, number, number]> = [];
for (const [name, run] of cases) {
  await paired(run, 100);
  const [a, b] = await paired(run, 800);
  rows.push([name, median(a), median(b)]);
}
await server.close();

const ms = (x: number) => `${x.toFixed(3)} ms`;
console.log('rewardgate/ai-sdk benchmark (pass-through middleware vs the plain provider, loopback, medians):');
console.log(`  ${''.padEnd(34)} ${'plain'.padStart(12)} ${'rewardgate'.padStart(12)} ${'ratio'.padStart(8)}`);
for (const [name, a, b] of rows) console.log(`  ${name.padEnd(34)} ${ms(a).padStart(12)} ${ms(b).padStart(12)} ${`${(b / a).toFixed(3)}x`.padStart(8)}`);
