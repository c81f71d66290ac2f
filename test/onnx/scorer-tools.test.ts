// A local scorer reads an agent's answer through its chat template with the request's tools, as
// transformers' apply_chat_template(conversation, tools=...) renders it. tiny-reward's template
// ignores tools, so the test model is tiny-reward with tiny-agent's template (one tokenizer).
import { copyFile, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bestOfN, pipeline, type ChatModel, type Message, type Tool } from '../../src/index.js';
import { loadScorer, type LocalScorer } from '../../src/onnx/index.js';
import { completion } from '../pipeline/test-model.js';

const MODELS = new URL('../fixtures/models/', import.meta.url).pathname;
const WEATHER: Tool = { type: 'function', function: { name: 'get_weather', description: 'Get the current weather for a city.', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } };
const CALL = { id: 'c1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city": "Paris"}' } };
const conversation: Message[] = [
  { role: 'user', content: 'Weather in Paris?' },
  { role: 'assistant', content: null, tool_calls: [CALL] },
];

let dir: string;
let scorer: LocalScorer;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'rg-scorer-tools-'));
  for (const f of await readdir(`${MODELS}tiny-reward`)) await copyFile(`${MODELS}tiny-reward/${f}`, join(dir, f));
  await copyFile(`${MODELS}tiny-agent/chat_template.jinja`, join(dir, 'chat_template.jinja'));
  scorer = await loadScorer({ path: dir, device: 'cpu' });
});

afterAll(async () => {
  await scorer?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('local scorer with the request tools', () => {
  it('renders the tools into the scored conversation', async () => {
    expect(scorer.tokenizer.render(conversation, { tools: [WEATHER] })).toContain('<tools>\nget_weather(city: string) - Get the current weather for a city.\n</tools>');
    const [plain] = await scorer.score([conversation]);
    const [withTools] = await scorer.score([conversation], { tools: [WEATHER] } as never);
    expect(withTools!.value).not.toBeCloseTo(plain!.value, 6);
  });

  it('bestOfN passes the request tools to it: the candidates get the with-tools score', async () => {
    const model: ChatModel = {
      generate: async () => completion('', { toolCalls: [CALL] }),
      stream: async function* () {
        yield { type: 'finish', completion: completion('', { toolCalls: [CALL] }) };
      },
    };
    const [expected] = await scorer.score([conversation], { tools: [WEATHER] } as never);
    const out = await pipeline(model, [bestOfN({ n: 2, scorer })]).generate({ messages: [conversation[0]!], tools: [WEATHER] });
    expect(out.report.candidates.map((c) => c.score?.value)).toEqual([expected!.value, expected!.value]);
  });
});
