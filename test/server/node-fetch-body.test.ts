// The proxy's upstream body over createNodeFetch: the answer may still hand over data, its end or
// an error after the reader cancelled (a chunk already parsed from the socket read that carried
// the last one, or a late socket error). Those must be ignored: a closed stream controller throws,
// and a throw there is uncaught. The answer is driven as undici's client drives its handler.
import { describe, expect, it, vi } from 'vitest';
import { toResponse } from '../../src/server/node-fetch.js';
import { UpstreamAnswer } from '../../src/server/upstream-answer.js';

function upstreamAnswer(status = 200) {
  const answer = new UpstreamAnswer(
    () => {},
    () => {},
  );
  const abort = vi.fn((reason?: Error) => answer.onError(reason ?? new Error('aborted')));
  answer.onConnect(abort);
  answer.onHeaders(status, [Buffer.from('content-type'), Buffer.from('text/event-stream')], () => {}, 'OK');
  return { answer, abort };
}

describe('createNodeFetch bodies', () => {
  it('ignores data, an end or an error that arrives after the reader cancelled', async () => {
    const { answer, abort } = upstreamAnswer();
    const release = vi.fn();
    const response = toResponse(answer, undefined, release);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    expect(response.statusText).toBe('OK');
    const reader = response.body!.getReader();
    answer.onData(Buffer.from('data: {"a":1}\n\n'));
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: {"a":1}\n\n');
    await reader.cancel();
    expect(abort).toHaveBeenCalledTimes(1);
    expect(release).toHaveBeenCalledTimes(1);
    expect(() => answer.onData(Buffer.from('late'))).not.toThrow();
    expect(() => answer.onComplete()).not.toThrow();
    expect(() => answer.onError(new Error('socket hang up'))).not.toThrow();
  });

  it('ends the body once, and an error after the end changes nothing', async () => {
    const { answer, abort } = upstreamAnswer();
    const release = vi.fn();
    const response = toResponse(answer, new AbortController().signal, release);
    answer.onData(Buffer.from('whole'));
    answer.onComplete();
    expect(() => answer.onError(new Error('late'))).not.toThrow();
    expect(await response.text()).toBe('whole');
    // The abort listener went with the end, and a complete answer is not aborted.
    expect(release).toHaveBeenCalledTimes(1);
    answer.destroy();
    expect(abort).not.toHaveBeenCalled();
  });

  it('errors the body with the abort reason when the caller aborts mid-answer', async () => {
    const { answer, abort } = upstreamAnswer();
    const caller = new AbortController();
    const response = toResponse(answer, caller.signal, () => {});
    const reader = response.body!.getReader();
    answer.onData(Buffer.from('part'));
    await reader.read();
    const reason = new Error('client went away');
    caller.abort(reason);
    answer.destroy(reason); // what createNodeFetch's abort listener does
    await expect(reader.read()).rejects.toBe(reason);
    expect(abort).toHaveBeenCalledWith(reason);
  });

  it('pauses the socket while the reader is full and resumes it when the reader pulls', async () => {
    const answer = new UpstreamAnswer(
      () => {},
      () => {},
    );
    const resume = vi.fn();
    answer.onConnect(() => {});
    answer.onHeaders(200, [], resume);
    const response = toResponse(answer, undefined, () => {});
    // The stream's queue holds one chunk (highWaterMark 1): the second fills it past that.
    expect(answer.onData(Buffer.from('a'))).toBe(false);
    const reader = response.body!.getReader();
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('a');
    expect(resume).toHaveBeenCalled();
  });

  it('answers a 204 without a body', () => {
    const { answer } = upstreamAnswer(204);
    const release = vi.fn();
    const response = toResponse(answer, undefined, release);
    expect(response.status).toBe(204);
    expect(response.body).toBeNull();
    expect(release).toHaveBeenCalledTimes(1);
  });
});
