// A loopback upstream that behaves like a tool-using model: asked a question it calls
// get_weather, given that result it calls get_time, given both it answers with them. Each reply
// carries reasoning, so every layer's handling of calls, tool turns and reasoning shows.
import { startOpenAIServer, type FakeOpenAIServer, type FakeReply } from './openai-server.js';

export const WEATHER_TOOL = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};
export const TIME_TOOL = {
  type: 'function' as const,
  function: { name: 'get_time', description: 'Current time in a time zone', parameters: { type: 'object', properties: { tz: { type: 'string' } }, required: ['tz'] } },
};

/** The answer the upstream gives once both tool results are in the conversation. */
export const finalAnswer = (weather: string, time: string) => `In Paris it is ${weather} at ${time}.`;

type Turn = { role: string; content?: unknown; tool_call_id?: string };

/** The agent's next step for a request body (see the file comment). */
export function agentReply(body: { messages: Turn[] }): FakeReply {
  const results = body.messages.filter((m) => m.role === 'tool');
  if (results.length === 0) return { text: '', reasoning: 'I need the weather first.', toolCalls: [{ id: 'call_weather', name: 'get_weather', arguments: '{"city":"Paris"}' }] };
  if (results.length === 1) return { text: '', reasoning: 'Now the time.', toolCalls: [{ id: 'call_time', name: 'get_time', arguments: '{"tz":"Europe/Paris"}' }] };
  return { text: finalAnswer(String(results[0]!.content), String(results[1]!.content)), reasoning: 'I have both.' };
}

/** Starts the loopback agent upstream. */
export function startAgentUpstream(): Promise<FakeOpenAIServer> {
  return startOpenAIServer((body) => agentReply(body));
}
