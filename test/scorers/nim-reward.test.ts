import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { createClient, nimReward, UserAbortError, ValidationError, type Message } from '../../src/index.js';
import { KEY, NIM, remoteMock } from '../helpers/nim-mock.js';
import { messageText } from '../../src/content.js';

const server = remoteMock();

const convo = (answer: string): Message[] => [
  { role: 'user', content: 'Name a prime.' },
  { role: 'assistant', content: answer },
];

/** A reward NIM: the score is the numeric answer, or five attributes when `attributes` is set. */
function rewardNim(attributes = false) {
  const seen: Array<{ auth: string | null; body: any }> = [];
  server.use(
    http.post(`${NIM}/chat/completions`, async ({ request }) => {
      const body = (await request.json()) as { messages: Message[] };
      seen.push({ auth: request.headers.get('authorization'), body });
      // The number that ends the answer (after any reasoning block).
      const n = Number(/-?\d+(\.\d+)?$/.exec(String(body.messages.at(-1)!.content))?.[0]);
      const content = attributes ? `helpfulness:${n},correctness:1,coherence:1,complexity:1,verbosity:1` : `reward:${n}`;
      return HttpResponse.json({ choices: [{ index: 0, message: { role: 'assistant', content }, finish_reason: 'length' }] });
    }),
  );
  return seen;
}

describe('nimReward', () => {
  it('scores a batch in order with its own client from baseURL / apiKey', async () => {
    const seen = rewardNim();
    const scorer = nimReward({ baseURL: NIM, apiKey: KEY, model: 'nvidia/llama-3.1-nemotron-70b-reward', concurrency: 2 });
    const scores = await scorer.score([convo('-1.5'), convo('2'), convo('0.25')]);
    expect(scores).toEqual([{ value: -1.5 }, { value: 2 }, { value: 0.25 }]);
    expect(seen.every((s) => s.auth === `Bearer ${KEY}` && s.body.model === 'nvidia/llama-3.1-nemotron-70b-reward')).toBe(true);
  });

  it('uses a given client and overridable attribute weights', async () => {
    rewardNim(true);
    const client = createClient({ baseURL: NIM, apiKey: KEY });
    const card = await nimReward({ client, model: 'nvidia/nemotron-4-340b-reward' }).score([convo('2')]);
    expect(card[0]!.value).toBeCloseTo(0.3 * 2 + 0.74 + 0.46 + 0.47 - 0.33, 10);
    const onlyHelpful = await nimReward({ client, model: 'nvidia/nemotron-4-340b-reward', weights: { helpfulness: 1, correctness: 0, coherence: 0, complexity: 0, verbosity: 0 } }).score([convo('2')]);
    expect(onlyHelpful[0]).toMatchObject({ value: 2, attributes: { helpfulness: 2, verbosity: 1 } });
  });

  it('rejects a conversation over the token limit before sending, naming it', async () => {
    const seen = rewardNim();
    const tokenizer = { count: (messages: Message[]) => messages.reduce((n, m) => n + messageText(m).length, 0) };
    const scorer = nimReward({ baseURL: NIM, apiKey: KEY, model: 'r', tokenizer });
    const long = convo('0'.repeat(5_000));
    const error = await scorer.score([convo('1'), long]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues).toEqual([{ path: '[1]', message: '5013 tokens exceed the 4096-token limit of NIM reward models' }]);
    await expect(nimReward({ baseURL: NIM, apiKey: KEY, model: 'r', tokenizer, maxTokens: 10 }).score([convo('12345')])).rejects.toBeInstanceOf(ValidationError);
    expect(seen).toHaveLength(0);
    await expect(nimReward({ baseURL: NIM, apiKey: KEY, model: 'r', tokenizer, maxTokens: 6_000 }).score([long])).resolves.toHaveLength(1);
  });

  it('rejects a conversation not ending with the assistant, and bad options', async () => {
    const seen = rewardNim();
    const scorer = nimReward({ baseURL: NIM, apiKey: KEY, model: 'r' });
    await expect(scorer.score([convo('1'), [{ role: 'user', content: 'x' }]])).rejects.toMatchObject({ issues: [{ path: '[1][0].role' }] });
    expect(seen).toHaveLength(0);
    expect(() => nimReward({ model: '' })).toThrow(ValidationError);
    expect(() => nimReward({ model: 'r', client: createClient({ baseURL: NIM, apiKey: KEY }), baseURL: NIM })).toThrow(/client/);
    // A misspelt attribute weight is a build-time error, not a failure of every later score() call.
    const misspelt = (() => {
      try {
        nimReward({ model: 'r', weights: { helpfulnes: 1 } as never });
      } catch (e) {
        return e;
      }
    })();
    expect(misspelt).toBeInstanceOf(ValidationError);
    expect((misspelt as ValidationError).message).toContain('weights');
  });

  it('sends tool calls, tool results and content parts as text turns, in the documented form', async () => {
    const seen = rewardNim();
    const call = { id: 'c1', type: 'function' as const, function: { name: 'get_weather', arguments: '{"city":"Paris"}' } };
    const conversation: Message[] = [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: [{ type: 'text', text: 'Weather in ' }, { type: 'text', text: 'Paris?' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
      { role: 'assistant', content: null, tool_calls: [call], reasoning: 'earlier thoughts' },
      { role: 'tool', tool_call_id: 'c1', content: '18 C' },
      { role: 'assistant', content: '3', reasoning: 'scored thoughts' },
    ];
    await nimReward({ baseURL: NIM, apiKey: KEY, model: 'r' }).score([conversation]);
    expect(seen[0]!.body.messages).toEqual([
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: '<tool_call>\n{"name": "get_weather", "arguments": {"city":"Paris"}}\n</tool_call>' },
      { role: 'user', content: '<tool_response>\n18 C\n</tool_response>' },
      // The answer being scored carries reasoning only when the pipeline asked (scoreReasoning).
      { role: 'assistant', content: '<think>\nscored thoughts\n</think>\n3' },
    ]);
  });

  it('honours abort', async () => {
    rewardNim();
    const scorer = nimReward({ baseURL: NIM, apiKey: KEY, model: 'r' });
    await expect(scorer.score([convo('1')], { signal: AbortSignal.abort() })).rejects.toBeInstanceOf(UserAbortError);
  });
});
