// Reads SSE text the way clients do (eventsource-parser), for tests of streaming endpoints.
import { createParser } from 'eventsource-parser';

/** The `data` payloads of an SSE text, in order. */
export function sseData(text: string): string[] {
  const out: string[] = [];
  const parser = createParser({ onEvent: (e) => out.push(e.data) });
  parser.feed(text);
  return out;
}

/** The JSON chunks of an OpenAI stream (without `[DONE]`) and whether `[DONE]` ended it. */
export function openAIChunks(text: string): { chunks: any[]; done: boolean; content: string } {
  const data = sseData(text);
  const done = data.at(-1) === '[DONE]';
  const chunks = (done ? data.slice(0, -1) : data).map((d) => JSON.parse(d));
  const content = chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join('');
  return { chunks, done, content };
}
