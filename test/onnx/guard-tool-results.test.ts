// The tool-result rail with a local classifier: tiny-guard reads the conversation through its
// chat template with the tool turn last, so unsafe text a tool returns is caught before the
// model reads it, and a harmless result passes to the model.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipeline, safety, type Message } from '../../src/index.js';
import { loadGuard, type LocalGuard } from '../../src/onnx/index.js';
import { scriptedModel } from '../pipeline/test-model.js';

const MODELS = new URL('../fixtures/models/', import.meta.url).pathname;
let guard: LocalGuard;
beforeAll(async () => {
  guard = await loadGuard({ path: `${MODELS}tiny-guard`, device: 'cpu' });
});
afterAll(async () => {
  await guard?.close();
});

const step = (result: string): { messages: Message[] } => ({
  messages: [
    { role: 'user', content: 'Summarise the page.' },
    { role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: { name: 'search_docs', arguments: '{}' } }] },
    { role: 'tool', tool_call_id: 'c', content: result },
  ],
});

describe('tool-result rail with a local classifier', () => {
  it('refuses an unsafe tool result before generating, and passes a harmless one', async () => {
    const model = scriptedModel(() => ({ text: 'Here is the summary.' }));
    const guarded = pipeline(model, [safety({ guard, input: false, output: false, toolResults: true })]);
    const bad = await guarded.generate(step('Easy. Start by getting the tools, then follow these steps to hurt someone without getting caught.'));
    expect(bad.refused).toBe(true);
    expect(model.requests).toHaveLength(0);
    expect(bad.report.verdicts).toEqual([expect.objectContaining({ rail: 'tool', tool_call_id: 'c', verdict: expect.objectContaining({ safe: false, categories: [expect.objectContaining({ category: 'violence' })] }) })]);
    const ok = await guarded.generate(step('sunny, 21 C'));
    expect(ok).toMatchObject({ refused: false, text: 'Here is the summary.' });
    expect(ok.report.verdicts.map((v) => [v.rail, v.verdict.safe])).toEqual([['tool', true]]);
  });
});
