// zod/mini loads no locale: without our issue messages every ValidationError would read
// "Invalid input". Each kind of issue our schemas raise reads as English, next to its path.
import { describe, expect, it } from 'vitest';
import { createClient, everyGuard, ValidationError, type ChatRequest } from '../../src/index.js';

// Validation fails before any request, so nothing listens at this address.
const client = createClient({ baseURL: 'http://127.0.0.1:9/v1', apiKey: 'k' });
const user = { role: 'user' as const, content: 'hi' };

async function issues(call: () => Promise<unknown>): Promise<Array<{ path: string; message: string }>> {
  const error = await call().then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ValidationError);
  return [...(error as ValidationError).issues];
}

const chat = (request: Record<string, unknown>) => issues(() => client.chat.create({ model: 'm', messages: [user], ...request } as ChatRequest));

describe('ValidationError messages', () => {
  it('name the expected and the received type', async () => {
    expect(await chat({ temperature: 'hot' })).toEqual([{ path: 'temperature', message: 'Invalid input: expected number, received string' }]);
    expect(await chat({ seed: 1.5 })).toEqual([{ path: 'seed', message: 'Invalid input: expected int, received number' }]);
    expect(await chat({ tools: null })).toEqual([{ path: 'tools', message: 'Invalid input: expected array, received null' }]);
  });

  it('give the bound of a number or a length, with its unit', async () => {
    expect(await chat({ max_tokens: 0 })).toEqual([{ path: 'max_tokens', message: 'Too small: expected number to be >0' }]);
    expect(await chat({ temperature: 3 })).toEqual([{ path: 'temperature', message: 'Too big: expected number to be <=2' }]);
    expect(await chat({ model: '' })).toEqual([{ path: 'model', message: 'Too small: expected string to have >=1 characters' }]);
  });

  it('list the allowed values and the unknown keys', async () => {
    expect(await chat({ messages: [{ role: 'robot', content: 'x' }] })).toEqual([
      { path: 'messages[0].role', message: 'Invalid option: expected one of "system"|"user"|"assistant"|"tool"' },
    ]);
    expect(await chat({ tool_choice: 'maybe' })).toEqual([{ path: 'tool_choice', message: 'Invalid input: expected "none"|"auto"|"required" or object, received string' }]);
    const reward = await issues(() => client.reward.score({ model: 'r', messages: [user, { role: 'assistant', content: 'a' }], extra: 1, other: 2 } as never));
    expect(reward).toEqual([{ path: '', message: 'Unrecognized keys: "extra", "other"' }]);
  });

  it('say what each option of a union expects', async () => {
    expect(await chat({ messages: [{ role: 'user', content: 5 }] })).toEqual([{ path: 'messages[0].content', message: 'Invalid input: expected string, array or null, received number' }]);
    // An option that took the type but failed a check: no list of types, which would mislead.
    expect(await chat({ stop: Array.from({ length: 17 }, () => 'x') })).toEqual([{ path: 'stop', message: 'Invalid input' }]);
  });

  it('read the same inside a content part, and keep our own messages', async () => {
    const part = { type: 'image_url', image_url: { url: 7 } };
    expect(await chat({ messages: [{ role: 'user', content: [part] }] })).toEqual([
      { path: 'messages[0].content[0].image_url.url', message: 'Invalid input: expected string, received number' },
    ]);
    expect(await chat({ messages: [] })).toEqual([{ path: 'messages', message: 'a conversation needs at least one message' }]);
    expect(() => everyGuard()).toThrow('Invalid everyGuard guards: (root): give at least one guard');
  });
});
