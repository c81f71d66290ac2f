// The OpenAI Agents SDK through the guard proxy: an Agent with function tools, its chat-completions
// model pointed at the proxy, runs its tool loop to the final answer against a loopback upstream.
import { Agent, OpenAIChatCompletionsModel, run, setTracingDisabled, tool } from '@openai/agents';
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createGuardServer, type GuardServer } from '../../src/server/index.js';
import { finalAnswer, startAgentUpstream } from '../helpers/agent-upstream.js';
import type { FakeOpenAIServer } from '../helpers/openai-server.js';

let upstream: FakeOpenAIServer;
let proxy: GuardServer;

beforeAll(async () => {
  // Traces would go to OpenAI's servers: nothing leaves loopback in tests.
  setTracingDisabled(true);
  upstream = await startAgentUpstream();
  proxy = await createGuardServer({ listen: { port: 0 }, upstream: { baseURL: upstream.baseURL, model: 'fake-model', maxRetries: 0 } });
  await proxy.listen();
});

afterAll(async () => {
  await proxy?.close();
  await upstream?.close();
});

describe('@openai/agents through the guard proxy', () => {
  for (const stream of [false, true]) {
    it(`runs an Agent’s tool loop to its final answer (${stream ? 'streamed' : 'plain'} run)`, async () => {
      const before = upstream.requests.length;
      const calls: string[] = [];
      const getWeather = tool({
        name: 'get_weather',
        description: 'Current weather in a city',
        parameters: z.object({ city: z.string() }),
        execute: async ({ city }) => (calls.push(city), 'sunny, 21°C'),
      });
      const getTime = tool({
        name: 'get_time',
        description: 'Current time in a time zone',
        parameters: z.object({ tz: z.string() }),
        execute: async ({ tz }) => (calls.push(tz), '10:00'),
      });
      const client = new OpenAI({ baseURL: `${proxy.address!.url}/v1`, apiKey: 'unused-on-loopback', maxRetries: 0 });
      const agent = new Agent({ name: 'weather', instructions: 'Answer with the tools.', model: new OpenAIChatCompletionsModel(client, 'fake-model'), tools: [getWeather, getTime] });

      let output: unknown;
      if (stream) {
        const result = await run(agent, 'Weather and time in Paris?', { stream: true });
        let text = '';
        for await (const event of result.toTextStream()) text += event;
        await result.completed;
        output = result.finalOutput;
        expect(text).toBe(finalAnswer('sunny, 21°C', '10:00'));
      } else {
        output = (await run(agent, 'Weather and time in Paris?')).finalOutput;
      }
      expect(output).toBe(finalAnswer('sunny, 21°C', '10:00'));
      expect(calls).toEqual(['Paris', 'Europe/Paris']);
      const sent = upstream.requests.slice(before).filter((r) => r.path === '/v1/chat/completions');
      expect(sent).toHaveLength(3);
      // The tools the agent offered reached the upstream, and its instructions as the system turn.
      expect(sent[0]!.body.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual(['get_weather', 'get_time']);
      expect(sent[0]!.body.messages[0]).toMatchObject({ role: 'system', content: 'Answer with the tools.' });
      expect(sent[2]!.body.messages.filter((m: { role: string }) => m.role === 'tool').map((m: { tool_call_id: string }) => m.tool_call_id)).toEqual(['call_weather', 'call_time']);
    });
  }
});
