// Guards fail honestly: a service they cannot use is a GuardConfigurationError, a transient
// failure a GuardUnavailableError, an over-long input a GuardInputError; never a verdict.
import { delay, http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import {
  contentSafetyReasoning,
  createClient,
  GuardConfigurationError,
  GuardError,
  GuardInputError,
  GuardUnavailableError,
  jailbreakDetect,
  llamaGuard,
  nemoguard,
  nemotronSafetyGuard,
  topicControl,
  UserAbortError,
  ValidationError,
  type Guard,
} from '../../src/index.js';
import { remoteMock } from '../helpers/nim-mock.js';

const server = remoteMock();
const BASE = 'https://guards.test/v1';
const SECRET = 'nvapi-GUARD-FAILURE-KEY-5550123';
const ask = [{ role: 'user' as const, content: 'Hello there' }];

/** Every remote guard, built for BASE with `maxRetries` retries and a short header deadline. */
function guards(maxRetries = 0): Array<[string, Guard, string]> {
  const client = createClient({ baseURL: BASE, apiKey: SECRET, maxRetries, timeouts: { headersMs: 80 } });
  return [
    ['nemoguard', nemoguard({ client }), 'chat/completions'],
    ['nemotronSafetyGuard', nemotronSafetyGuard({ client }), 'chat/completions'],
    ['llamaGuard', llamaGuard({ client }), 'chat/completions'],
    ['topicControl', topicControl({ client, rules: 'Only talk about cooking.' }), 'chat/completions'],
    ['contentSafetyReasoning', contentSafetyReasoning({ client }), 'chat/completions'],
    ['jailbreakDetect', jailbreakDetect({ baseURL: BASE, apiKey: SECRET, maxRetries, timeouts: { headersMs: 80 } }), 'classify'],
  ];
}

/** Answers every guard endpoint with `respond`; returns the request count. */
function answer(respond: () => Response | Promise<Response>): { count: number } {
  const seen = { count: 0 };
  const handler = async () => {
    seen.count++;
    return respond();
  };
  server.use(http.post(`${BASE}/chat/completions`, handler), http.post(`${BASE}/classify`, handler));
  return seen;
}

async function failure(guard: Guard): Promise<unknown> {
  return guard.check(ask).then(
    (verdict) => ({ notAnError: verdict }),
    (error: unknown) => error,
  );
}

describe('guards that cannot work as configured', () => {
  const cases: Array<[number, string]> = [
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [404, 'not_found'],
    [422, 'rejected_request'],
    [415, 'rejected_request'],
    [400, 'rejected_request'],
  ];
  for (const [status, kind] of cases) {
    it(`${status} from the guard service is a GuardConfigurationError (${kind}), without the key, not retried`, async () => {
      const seen = answer(() => HttpResponse.json({ error: { message: `bad key ${SECRET}` } }, { status }));
      for (const [name, guard] of guards(2)) {
        const error = await failure(guard);
        expect(error, name).toBeInstanceOf(GuardConfigurationError);
        expect(error).toMatchObject({ name: 'GuardConfigurationError', code: 'guard_misconfigured', failure: kind, guard: name, serviceStatus: status, isRetryable: false });
        expect(GuardError.isGuardError(error)).toBe(true);
        const text = `${(error as Error).message} ${JSON.stringify(error)} ${String((error as Error).cause)}`;
        expect(text).not.toContain(SECRET);
        expect((error as Error).message).toContain(name);
      }
      expect(seen.count).toBe(6); // one request per guard: a configuration error is not retried
    });
  }

  it('an answer that is not JSON is a GuardConfigurationError (the wrong service)', async () => {
    answer(() => new HttpResponse('<html>login</html>', { status: 200, headers: { 'content-type': 'text/html' } }));
    for (const [name, guard] of guards()) {
      expect(await failure(guard), name).toMatchObject({ name: 'GuardConfigurationError', failure: 'unreadable_reply', guard: name });
    }
  });
});

describe('guards that fail for now', () => {
  for (const [status, kind] of [[429, 'rate_limited'], [503, 'server_error'], [500, 'server_error']] as const) {
    it(`${status} after the retries is a GuardUnavailableError (${kind}, code guard_unavailable)`, async () => {
      const seen = answer(() => HttpResponse.json({ title: 'busy' }, { status, headers: { 'retry-after-ms': '1' } }));
      for (const [name, guard] of guards(1)) {
        const error = await failure(guard);
        expect(error, name).toBeInstanceOf(GuardUnavailableError);
        expect(error).toMatchObject({ code: 'guard_unavailable', failure: kind, guard: name, serviceStatus: status, isRetryable: true });
      }
      expect(seen.count).toBe(12); // each guard tried twice (maxRetries 1)
    });
  }

  it('a timeout and an unreachable service are GuardUnavailableError', async () => {
    answer(async () => {
      await delay(400);
      return HttpResponse.json({});
    });
    for (const [name, guard] of guards()) expect(await failure(guard), name).toMatchObject({ name: 'GuardUnavailableError', failure: 'timeout' });
    answer(() => HttpResponse.error());
    for (const [name, guard] of guards()) expect(await failure(guard), name).toMatchObject({ name: 'GuardUnavailableError', failure: 'unreachable' });
  });

  it('a 400 about the context length is a GuardInputError (context_length_exceeded); so is a 413', async () => {
    answer(() => HttpResponse.json({ object: 'error', message: "This model's maximum context length is 8192 tokens. However, you requested 9000 tokens." }, { status: 400 }));
    for (const [name, guard] of guards()) {
      const error = await failure(guard);
      expect(error, name).toBeInstanceOf(GuardInputError);
      expect(error).toMatchObject({ code: 'context_length_exceeded', failure: 'input_too_long', serviceStatus: 400 });
    }
    answer(() => HttpResponse.json({ detail: 'payload too large' }, { status: 413 }));
    for (const [name, guard] of guards()) expect(await failure(guard), name).toMatchObject({ code: 'context_length_exceeded', serviceStatus: 413 });
  });
});

describe('what a guard does not wrap', () => {
  it("the caller's abort stays a UserAbortError; a bad conversation a ValidationError", async () => {
    answer(async () => {
      await delay(200);
      return HttpResponse.json({});
    });
    for (const [name, guard] of guards()) {
      const controller = new AbortController();
      const pending = guard.check(ask, { signal: controller.signal });
      controller.abort(new Error('user left'));
      await expect(pending, name).rejects.toBeInstanceOf(UserAbortError);
      await expect(guard.check([]), name).rejects.toBeInstanceOf(ValidationError);
    }
  });

  it("a user's own ChatModel that throws gives a GuardUnavailableError with the original as cause", async () => {
    const boom = new Error('socket hang up');
    const chat = { generate: async () => Promise.reject(boom), stream: () => (async function* () {})() };
    for (const guard of [nemoguard({ chat }), llamaGuard({ chat }), topicControl({ chat, rules: 'Cooking only.' }), contentSafetyReasoning({ chat }), nemotronSafetyGuard({ chat })]) {
      const error = await failure(guard);
      expect(error).toMatchObject({ name: 'GuardUnavailableError', failure: 'failed', cause: boom });
      expect((error as Error).message).toContain('socket hang up');
    }
  });
});
