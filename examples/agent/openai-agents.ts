// The same agent on the OpenAI Agents SDK (@openai/agents), pointed at the rewardgate guard proxy:
// the SDK runs its own tool loop, and every model call goes through the proxy's pipeline (tool
// results judged before the model reads them, each call judged and checked against the policy
// before the SDK sees it). Offline the proxy serves tiny-agent; UPSTREAM_BASE_URL swaps in a real model.
//
//   npm run build && npx tsx examples/agent/openai-agents.ts
import { Agent, OpenAIChatCompletionsModel, run, setTracingDisabled, tool } from '@openai/agents';
import OpenAI from 'openai';
import { pipeline, safety, toolPolicy } from 'rewardgate';
import { createGuardServer } from 'rewardgate/server';
import { z } from 'zod';
import { agentRules, loadAgentModel, TOOL_IMPLEMENTATIONS } from './tools.js';

setTracingDisabled(true); // traces would go to OpenAI's servers
const agent = await loadAgentModel();
const guarded = pipeline(agent.model, [safety({ guard: agentRules, toolResults: true, onToolResult: 'redact' }), toolPolicy({ onViolation: 'resample' })]);
const proxy = await createGuardServer({ model: guarded, defaultModel: agent.name, port: 0 });
const { url } = await proxy.listen();

const use = (name: string, description: string, parameters: z.ZodObject<Record<string, z.ZodString>>) =>
  tool({ name, description, parameters, execute: async (args) => JSON.stringify(TOOL_IMPLEMENTATIONS[name]!(args as Record<string, string>)) });

const assistant = new Agent({
  name: 'assistant',
  instructions: 'You are a helpful assistant.',
  model: new OpenAIChatCompletionsModel(new OpenAI({ baseURL: `${url}/v1`, apiKey: 'unused-on-loopback', maxRetries: 0 }), agent.name),
  modelSettings: { temperature: 1 },
  tools: [
    use('get_weather', 'Get the current weather for a city.', z.object({ city: z.string() })),
    use('search_docs', 'Search the help docs.', z.object({ query: z.string() })),
    use('delete_files', 'Delete files at a path.', z.object({ path: z.string() })),
  ],
});

try {
  for (const task of ['Is it raining in Tokyo?', 'Search the docs for data export.', 'Clean up my disk.']) {
    const result = await run(assistant, task, { maxTurns: 4 }).catch((error: Error) => ({ finalOutput: `(the agent stopped: ${error.message})`, newItems: [] }));
    const calls = result.newItems.flatMap((item) => (item.type === 'tool_call_item' && item.rawItem.type === 'function_call' ? [`${item.rawItem.name}(${item.rawItem.arguments})`] : []));
    console.log(`\n${task}\n  tool calls run: ${calls.length ? calls.join('\n                  ') : 'none'}\n  => ${String(result.finalOutput)}`);
  }
} finally {
  await proxy.close();
  await agent.close();
}
