import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCompletion, WireChunkSchema, WireCompletionSchema } from '../../src/client/chat-wire.js';
import { isWireChunk, isWireCompletion } from '../../src/client/wire-check.js';
import { ResponseError } from '../../src/index.js';

// Values near the expected shapes: right types, wrong types, null, missing keys, arrays.
const leaf = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.constant(null), fc.constant(undefined), fc.boolean(), fc.constant([]), fc.constant({}));
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof(arb, leaf);
const usage = maybe(fc.record({ prompt_tokens: maybe(fc.nat()), completion_tokens: maybe(fc.nat()), total_tokens: maybe(fc.nat()) }, { requiredKeys: [] }));
// Streamed tool-call pieces, with wrong types among them (negative or fractional indexes...).
const callPiece = fc.record(
  {
    index: maybe(fc.integer({ min: -1, max: 3 })),
    id: maybe(fc.string()),
    type: maybe(fc.constant('function')),
    function: maybe(fc.record({ name: maybe(fc.string()), arguments: maybe(fc.string()) }, { requiredKeys: [] })),
  },
  { requiredKeys: [] },
);
const choice = fc.record(
  {
    index: fc.nat(),
    message: maybe(fc.record({ role: fc.constant('assistant'), content: maybe(fc.string()) }, { requiredKeys: [] })),
    delta: maybe(fc.record({ content: maybe(fc.string()), reasoning_content: maybe(fc.string()), tool_calls: maybe(fc.array(maybe(callPiece), { maxLength: 2 })) }, { requiredKeys: [] })),
    finish_reason: maybe(fc.constantFrom('stop', 'length')),
  },
  { requiredKeys: [] },
);
const body = maybe(fc.record({ id: maybe(fc.string()), model: maybe(fc.string()), choices: maybe(fc.array(maybe(choice), { maxLength: 3 })), usage }, { requiredKeys: [] }));

describe('wire checks', () => {
  it('accept a chunk exactly when the zod schema does', () => {
    fc.assert(
      fc.property(body, (v) => {
        expect(isWireChunk(v)).toBe(WireChunkSchema.safeParse(v).success);
      }),
      { numRuns: 3000 },
    );
  });

  it('accept a completion exactly when the zod schema does; a rejected one is a ResponseError naming the path', () => {
    fc.assert(
      fc.property(body, (v) => {
        const zod = WireCompletionSchema.safeParse(v);
        expect(isWireCompletion(v)).toBe(zod.success);
        if (zod.success) return;
        const error = (() => {
          try {
            parseCompletion(v);
          } catch (e) {
            return e;
          }
        })();
        expect(error).toBeInstanceOf(ResponseError);
        expect((error as Error).message).toContain('Unexpected chat completion shape');
      }),
      { numRuns: 3000 },
    );
  });

  it('the fast path reads a completion as zod does', () => {
    const v = { id: 'x', model: 'm', choices: [{ message: { content: null }, finish_reason: 'eos' }], usage: { prompt_tokens: 3 } };
    expect(isWireCompletion(v)).toBe(true);
    expect(parseCompletion(v)).toEqual({ id: 'x', model: 'm', text: '', finishReason: 'stop', usage: { promptTokens: 3, completionTokens: 0, totalTokens: 3 } });
  });
});
