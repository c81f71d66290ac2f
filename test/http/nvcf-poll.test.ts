import { getEventListeners } from 'node:events';
import { http, HttpResponse } from 'msw';
import { describe, expect, it } from 'vitest';
import { createClient, createKServeScorer, InternalServerError, UserAbortError } from '../../src/index.js';
import { completion, KEY, NIM, userTurn, remoteMock } from '../helpers/nim-mock.js';

const server = remoteMock();

const request = { model: 'm', messages: userTurn };
const queued = (id: string) => new HttpResponse(null, { status: 202, headers: { 'nvcf-reqid': id, 'nvcf-status': 'pending-evaluation' } });

/** The POST is queued; the status URL answers 202 `pending` times, then `final`. */
function queuedJob(statusBase: string, pending: number, final: () => Response) {
  const polls: Array<{ url: string; auth: string | null }> = [];
  server.use(
    http.post(`${NIM}/chat/completions`, () => queued('job-7')),
    http.get(`${statusBase}/:id`, ({ request: req, params }) => {
      polls.push({ url: req.url, auth: req.headers.get('authorization') });
      expect(params.id).toBe('job-7');
      return polls.length <= pending ? queued('job-7') : final();
    }),
  );
  return polls;
}

describe('NVCF 202 polling', () => {
  it('polls the configured status URL with the same key until the result arrives', async () => {
    const polls = queuedJob('https://nvcf.test/status', 2, () => HttpResponse.json(completion('from the queue')));
    const client = createClient({ baseURL: NIM, apiKey: KEY, nvcf: { statusBaseURL: 'https://nvcf.test/status/', pollIntervalMs: 5 } });
    await expect(client.chat.create(request)).resolves.toMatchObject({ text: 'from the queue' });
    expect(polls).toHaveLength(3);
    expect(polls.every((p) => p.url === 'https://nvcf.test/status/job-7' && p.auth === `Bearer ${KEY}`)).toBe(true);
  });

  it('uses https://api.nvcf.nvidia.com/v2/nvcf/pexec/status by default', async () => {
    const polls = queuedJob('https://api.nvcf.nvidia.com/v2/nvcf/pexec/status', 0, () => HttpResponse.json(completion('hosted')));
    const client = createClient({ baseURL: NIM, apiKey: KEY, nvcf: { pollIntervalMs: 1 } });
    await expect(client.chat.create(request)).resolves.toMatchObject({ text: 'hosted' });
    expect(polls).toHaveLength(1);
  });

  it('an error answer from the status URL is the typed error', async () => {
    queuedJob('https://nvcf.test/status', 1, () => HttpResponse.json({ status: 500, title: 'Internal Server Error', detail: 'worker died' }, { status: 500 }));
    const client = createClient({ baseURL: NIM, apiKey: KEY, maxRetries: 0, nvcf: { statusBaseURL: 'https://nvcf.test/status', pollIntervalMs: 1 } });
    const error = await client.chat.create(request).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as Error).message).toBe('500 worker died');
  });

  it('aborting while polling stops the polls and leaves no listener', async () => {
    const polls = queuedJob('https://nvcf.test/status', Infinity, () => HttpResponse.json(completion('never')));
    const client = createClient({ baseURL: NIM, apiKey: KEY, nvcf: { statusBaseURL: 'https://nvcf.test/status', pollIntervalMs: 5 } });
    const controller = new AbortController();
    const pending = client.chat.create(request, { signal: controller.signal });
    while (polls.length < 2) await new Promise((r) => setTimeout(r, 2));
    controller.abort();
    await expect(pending).rejects.toBeInstanceOf(UserAbortError);
    const count = polls.length;
    await new Promise((r) => setTimeout(r, 30));
    expect(polls.length).toBe(count);
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('only NIM clients poll: a KServe server that answers 202 is read as the answer', async () => {
    const triton = 'http://triton.test:8000';
    let polls = 0;
    server.use(
      http.post(`${triton}/v2/models/rm/infer`, () =>
        HttpResponse.json({ outputs: [{ name: 'logits', shape: [1, 1], datatype: 'FP32', data: [2.5] }] }, { status: 202, headers: { 'nvcf-reqid': 'job-9' } }),
      ),
      http.get('https://api.nvcf.nvidia.com/v2/nvcf/pexec/status/:id', () => {
        polls++;
        return HttpResponse.json({ outputs: [] });
      }),
    );
    // A tokenizer is the caller's input: any encodeChat will do for a one-token conversation.
    const scorer = createKServeScorer({ baseURL: triton, model: 'rm', tokenizer: { encodeChat: () => [7] } });
    await expect(scorer.score([[...userTurn, { role: 'assistant', content: 'Hi' }]])).resolves.toEqual([{ value: 2.5 }]);
    expect(polls).toBe(0);
  });
});
