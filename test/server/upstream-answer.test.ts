// UpstreamAnswer driven the way undici's HTTP/1.1 client drives a dispatch handler (onConnect,
// onHeaders with the raw header list and its resume, onData returning false to pause, onComplete,
// onError): the orders that loopback servers rarely produce, such as a body past the early bound
// before its reader comes, or an abort while the request still waits for a connection.
import { describe, expect, it, vi } from 'vitest';
import { UpstreamAnswer } from '../../src/server/upstream-answer.js';

function started() {
  const ready = vi.fn<(answer: UpstreamAnswer) => void>();
  const failed = vi.fn<(error: Error) => void>();
  return { answer: new UpstreamAnswer(ready, failed), ready, failed };
}
const raw = (...pairs: string[]) => pairs.map((p) => Buffer.from(p, 'latin1'));
const sink = () => ({ data: vi.fn((_chunk: Buffer) => true), end: vi.fn(), error: vi.fn((_error: Error) => {}) });

describe('UpstreamAnswer', () => {
  it('waits past informational answers and parses the real one\'s headers, repeats as lists', () => {
    const { answer, ready } = started();
    answer.onConnect(() => {});
    expect(answer.onHeaders(103, raw('Link', '</a.css>'), () => {})).toBe(true);
    expect(ready).not.toHaveBeenCalled();
    answer.onHeaders(200, raw('Content-Type', 'application/json', 'Set-Cookie', 'a=1', 'set-cookie', 'b=2', 'X-Request-Id', 'r1'), () => {});
    expect(ready).toHaveBeenCalledWith(answer);
    expect(answer.statusCode).toBe(200);
    expect(answer.headers).toEqual({ 'content-type': 'application/json', 'set-cookie': ['a=1', 'b=2'], 'x-request-id': 'r1' });
    expect(answer.rawHeaders()).toEqual([['Content-Type', 'application/json'], ['Set-Cookie', 'a=1'], ['set-cookie', 'b=2'], ['X-Request-Id', 'r1']]);
  });

  it('keeps a body that comes before its reader, pausing the socket past 64 KiB, and resumes it when taken', () => {
    const { answer } = started();
    const resume = vi.fn();
    answer.onConnect(() => {});
    answer.onHeaders(200, [], resume);
    const piece = Buffer.alloc(40 * 1024, 1);
    expect(answer.onData(piece)).toBe(true);
    expect(answer.onData(piece)).toBe(false); // 80 KiB: paused
    const s = sink();
    answer.take(s);
    expect(s.data).toHaveBeenCalledTimes(2);
    expect(resume).toHaveBeenCalledTimes(1);
    expect(answer.onData(piece)).toBe(true);
    answer.onComplete();
    expect(s.data).toHaveBeenCalledTimes(3);
    expect(s.end).toHaveBeenCalledTimes(1);
    expect(answer.complete).toBe(true);
  });

  it('hands a reader an answer that already ended, or failed, at once', () => {
    const ended = started().answer;
    ended.onConnect(() => {});
    ended.onHeaders(200, [], () => {});
    ended.onData(Buffer.from('{}'));
    ended.onComplete();
    const s = sink();
    ended.take(s);
    expect(s.data.mock.calls.map(([c]) => c.toString())).toEqual(['{}']);
    expect(s.end).toHaveBeenCalledTimes(1);

    const cut = started().answer;
    cut.onConnect(() => {});
    cut.onHeaders(200, [], () => {});
    const socketError = new Error('other side closed');
    cut.onError(socketError);
    const t = sink();
    cut.take(t);
    expect(t.error).toHaveBeenCalledWith(socketError);
    expect(t.end).not.toHaveBeenCalled();
  });

  it('passes over the empty piece a parser resumed mid-body hands over, without pausing on it', () => {
    const { answer } = started();
    answer.onConnect(() => {});
    answer.onHeaders(200, [], () => {});
    const s = sink();
    s.data.mockReturnValue(false);
    answer.take(s);
    expect(answer.onData(Buffer.alloc(0))).toBe(true);
    expect(s.data).not.toHaveBeenCalled();
  });

  it('pauses when the reader says so and resumes only once per pause', () => {
    const { answer } = started();
    const resume = vi.fn();
    answer.onConnect(() => {});
    answer.onHeaders(200, [], resume);
    const s = sink();
    s.data.mockReturnValue(false);
    answer.take(s);
    expect(answer.onData(Buffer.from('a'))).toBe(false);
    answer.resume();
    answer.resume();
    expect(resume).toHaveBeenCalledTimes(1);
  });

  it('fails at once when destroyed while waiting for a connection, and aborts the request when it gets one', () => {
    const { answer, failed, ready } = started();
    const reason = new Error('client left');
    answer.destroy(reason);
    expect(failed).toHaveBeenCalledWith(reason);
    const abort = vi.fn();
    answer.onConnect(abort);
    expect(abort).toHaveBeenCalledWith(reason);
    answer.onError(reason); // what undici calls after the abort: no second outcome
    expect(failed).toHaveBeenCalledTimes(1);
    expect(ready).not.toHaveBeenCalled();
  });

  it('aborts mid-body with its own reason, which the reader gets instead of the socket error', () => {
    const { answer } = started();
    const abort = vi.fn();
    answer.onConnect(abort);
    answer.onHeaders(200, [], () => {});
    const s = sink();
    answer.take(s);
    const reason = new Error('deadline');
    answer.destroy(reason);
    expect(abort).toHaveBeenCalledWith(reason);
    answer.onError(new Error('aborted by undici'));
    expect(s.error).toHaveBeenCalledWith(reason);
    expect(answer.destroyed).toBe(true);
    answer.destroy(new Error('again'));
    expect(abort).toHaveBeenCalledTimes(1);
  });

  it('does nothing when destroyed after its end (the socket is back in the pool)', () => {
    const { answer } = started();
    const abort = vi.fn();
    answer.onConnect(abort);
    answer.onHeaders(200, [], () => {});
    answer.onComplete();
    answer.destroy();
    expect(abort).not.toHaveBeenCalled();
    expect(answer.destroyed).toBe(false);
  });
});
