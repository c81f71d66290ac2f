import { describe, expect, it } from 'vitest';
import { ToolCallSplitter, type SplitEvent } from '../../src/onnx/tool-call-parser.js';

function split(chunks: readonly string[]) {
  let n = 0;
  const splitter = new ToolCallSplitter(() => `call_${n++}`);
  const events: SplitEvent[] = [];
  for (const chunk of chunks) events.push(...splitter.push(chunk));
  events.push(...splitter.end());
  const text = events.flatMap((e) => (e.type === 'text-delta' ? [e.text] : [])).join('');
  const streamedArgs = new Map<number, string>();
  for (const e of events) if (e.type === 'tool-call-delta') streamedArgs.set(e.index, (streamedArgs.get(e.index) ?? '') + e.argumentsDelta);
  return { splitter, events, text, streamedArgs };
}

/** Every way of cutting `text` into two pieces, plus one character at a time. */
function cuts(text: string): string[][] {
  const out = [[text], [...text]];
  for (let i = 1; i < text.length; i++) out.push([text.slice(0, i), text.slice(i)]);
  return out;
}

const WEATHER = '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>';

describe('ToolCallSplitter', () => {
  it('reads a call; the arguments are the JSON text as written, however the text is cut', () => {
    for (const chunks of cuts(WEATHER)) {
      const { splitter, events, text, streamedArgs } = split(chunks);
      expect(text).toBe('');
      expect(splitter.toolCalls).toEqual([{ id: 'call_0', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }]);
      expect(streamedArgs.get(0)).toBe('{"city": "Paris"}');
      const first = events.find((e) => e.type === 'tool-call-delta');
      expect(first).toMatchObject({ index: 0, id: 'call_0', name: 'get_weather' });
      expect(events.at(-1)).toEqual({ type: 'tool-call', index: 0, toolCall: splitter.toolCalls[0] });
    }
  });

  it('keeps text around calls apart, drops the separators, and never emits markup as text', () => {
    const full = `Let me check.\n${WEATHER}\n${WEATHER.replace('Paris', 'Oslo')}\nDone.`;
    for (const chunks of cuts(full)) {
      const { splitter, events, text } = split(chunks);
      expect(text).toBe('Let me check.Done.');
      expect(splitter.text).toBe(text);
      expect(splitter.toolCalls.map((c) => [c.id, c.function.arguments])).toEqual([
        ['call_0', '{"city": "Paris"}'],
        ['call_1', '{"city": "Oslo"}'],
      ]);
      for (const e of events) if (e.type === 'text-delta') expect(e.text).not.toMatch(/tool_call|<|>/);
      expect(events.filter((e) => e.type === 'tool-call').map((e) => (e as { index: number }).index)).toEqual([0, 1]);
    }
  });

  it('plain text passes through whole, a lone "<" and trailing whitespace included', () => {
    for (const chunks of cuts('a < b and <tool  \n')) expect(split(chunks).text).toBe('a < b and <tool  \n');
  });

  it('a call cut off by the token limit keeps exactly what it wrote, never invented arguments', () => {
    const cases: Array<[string, string]> = [
      ['{"name": "get_weather"', ''],
      ['{"name": "get_weather", "arguments": {"city', '{"city'],
    ];
    for (const [json, args] of cases) {
      const { splitter, text } = split([`<tool_call>\n${json}`]);
      expect(text).toBe('');
      expect(splitter.toolCalls.map((c) => c.function)).toEqual([{ name: 'get_weather', arguments: args }]);
    }
  });

  it('malformed JSON arguments are kept as the model wrote them', () => {
    const cases: Array<[string, string]> = [
      ['{"name": "calculator", "arguments": {"expression": 12 * 7}}', '{"expression": 12 * 7}'],
      ['{"name": "get_weather", "arguments": {"city": "Paris"}', '{"city": "Paris"}'],
      ['{"name": "get_weather", "arguments": {"city": "Paris}}', '{"city": "Paris}}'],
      ['{"arguments": {"q": "x"}, "name": "search_docs"}', '{"q": "x"}'],
      ['{"name": "ping"}', '{}'],
      ['{"name": "f", "arguments": "{\\"a\\": 1}"}', '"{\\"a\\": 1}"'],
    ];
    for (const [json, args] of cases) {
      for (const chunks of cuts(`<tool_call>\n${json}\n</tool_call>`)) {
        const { splitter, streamedArgs, text } = split(chunks);
        expect(text).toBe('');
        expect(splitter.toolCalls).toHaveLength(1);
        expect(splitter.toolCalls[0]!.function.arguments).toBe(args);
        // The streamed pieces add up to the final arguments.
        expect(streamedArgs.get(0)).toBe(args);
      }
    }
  });

  it('a block without a readable name is not a call: it stays text', () => {
    const block = '<tool_call>\n{"nam": "x", "arguments": {}}\n</tool_call>';
    const { splitter, text } = split([block]);
    expect(splitter.toolCalls).toEqual([]);
    expect(text).toBe(block);
  });

  it('a block cut off by the token budget still gives its call, arguments as far as they go', () => {
    const { splitter } = split(['<tool_call>\n{"name": "send_email", "arguments": {"to": "bob@exa']);
    expect(splitter.toolCalls[0]!.function).toEqual({ name: 'send_email', arguments: '{"to": "bob@exa' });
  });
});
