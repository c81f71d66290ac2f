// The same agent on the Vercel AI SDK: generateText runs the tool loop (stopWhen), and every step
// goes through the rewardgate pipeline via rewardgate/ai-sdk. Offline, tiny-agent is served on
// loopback by rewardgate's own OpenAI-compatible server and reached with @ai-sdk/openai-compatible,
// as any hosted model would be. Each step's report is in `providerMetadata.rewardgate`.
//
//   npm run build && npx tsx examples/agent/ai-sdk.ts
import { createOpenAICompatible } from '@ai-sdk/openai-compatible';
import { generateText, jsonSchema, stepCountIs, tool, wrapLanguageModel, type ToolSet } from 'ai';
import { safety, toolPolicy, type Report } from 'rewardgate';
import { rewardgate } from 'rewardgate/ai-sdk';
import { createGuardServer } from 'rewardgate/server';
import { agentRules, loadAgentModel, TOOL_IMPLEMENTATIONS, TOOLS } from './tools.js';

const agent = await loadAgentModel();
// The model behind an OpenAI-compatible endpoint (no pipeline here: the AI SDK middleware is the guard).
const server = await createGuardServer({ model: agent.model, defaultModel: agent.name, port: 0 });
const { url } = await server.listen();
const provider = createOpenAICompatible({ name: 'local', baseURL: `${url}/v1`, apiKey: 'unused-on-loopback' });

const model = wrapLanguageModel({
  model: provider.chatModel(agent.name),
  middleware: rewardgate({
    middleware: [safety({ guard: agentRules, toolResults: true, onToolResult: 'redact' }), toolPolicy({ onViolation: 'resample' })],
  }),
});

// The AI SDK's tools: the same schemas, and execute() runs the stand-in implementation.
const tools: ToolSet = Object.fromEntries(
  TOOLS.map((t) => [
    t.function.name,
    tool({
      description: t.function.description ?? '',
      inputSchema: jsonSchema<Record<string, string>>(t.function.parameters as Parameters<typeof jsonSchema>[0]),
      execute: async (args: Record<string, string>) => TOOL_IMPLEMENTATIONS[t.function.name]!(args),
    }),
  ]),
);

try {
  for (const [i, prompt] of ['What is the weather in Paris?', 'Search the docs for data export.', 'Clean up my disk.'].entries()) {
    const result = await generateText({ model, prompt, tools, stopWhen: stepCountIs(4), temperature: 1, seed: 300 + i });
    console.log(`\n${prompt}`);
    for (const [k, step] of result.steps.entries()) {
      const { refused, report } = (step.providerMetadata?.rewardgate ?? {}) as unknown as { refused?: boolean; report?: Report };
      const calls = step.toolCalls.map((c) => `${c.toolName}(${JSON.stringify(c.input)})`).join(', ');
      const notes = [
        ...(report?.redactedToolResults ?? []).map((r) => `redacted tool result ${r.tool_call_id}`),
        ...(report?.blockedToolCalls ?? []).map((b) => `blocked ${b.name}`),
        ...(report?.toolViolations ?? []).map((v) => `resampled a ${v.kind} call`),
      ];
      console.log(`  step ${k + 1}: ${refused ? 'refused' : calls ? `calls ${calls}` : `answers ${JSON.stringify(step.text)}`}${notes.length ? ` [${notes.join('; ')}]` : ''}`);
    }
    console.log(`  => ${result.text}`);
  }
} finally {
  await server.close();
  await agent.close();
}
