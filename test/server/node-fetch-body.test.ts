// The proxy's upstream body over node:http: Node may emit 'data' / 'end' / 'error' after the
// reader cancelled (an 'end' already queued in the tick the last chunk was read, or a late socket
// error). Those must be ignored: a throw from an event handler is uncaught and ends the process.
import { EventEmitter } from 'node:events';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { toResponse } from '../../src/server/node-fetch.js';

// The parts of IncomingMessage that toResponse uses, driven by hand to force Node's event orders.
function upstreamMessage() {
  const res = Object.assign(new EventEmitter(), {
    rawHeaders: ['content-type', 'text/event-stream'],
    statusCode: 200,
    statusMessage: 'OK',
    destroyed: 0,
    pause() {},
    resume() {},
    destroy() {
      res.destroyed++;
    },
  });
  return res;
}

describe('createNodeFetch bodies', () => {
  it('ignores an end, data or error that arrives after the reader cancelled', async () => {
    const res = upstreamMessage();
    const response = toResponse(res as unknown as IncomingMessage, undefined);
    const reader = response.body!.getReader();
    res.emit('data', Buffer.from('data: {"a":1}\n\n'));
    expect(new TextDecoder().decode((await reader.read()).value)).toBe('data: {"a":1}\n\n');
    await reader.cancel();
    expect(res.destroyed).toBe(1);
    expect(() => res.emit('data', Buffer.from('late'))).not.toThrow();
    expect(() => res.emit('end')).not.toThrow();
    expect(() => res.emit('error', new Error('socket hang up'))).not.toThrow();
  });

  it('ends the body once, and an error after the end changes nothing', async () => {
    const abort = new AbortController();
    const res = upstreamMessage();
    const response = toResponse(res as unknown as IncomingMessage, abort.signal);
    res.emit('data', Buffer.from('whole'));
    res.emit('end');
    expect(() => res.emit('error', new Error('late'))).not.toThrow();
    expect(await response.text()).toBe('whole');
    // The abort listener went with the end: aborting now destroys nothing.
    abort.abort();
    expect(res.destroyed).toBe(0);
  });

  it('errors the body with the abort reason when the caller aborts mid-answer', async () => {
    const abort = new AbortController();
    const res = upstreamMessage();
    res.destroy = () => {
      res.destroyed++;
      res.emit('error', new Error('aborted'));
    };
    const response = toResponse(res as unknown as IncomingMessage, abort.signal);
    const reader = response.body!.getReader();
    res.emit('data', Buffer.from('part'));
    await reader.read();
    const reason = new Error('client went away');
    abort.abort(reason);
    await expect(reader.read()).rejects.toBe(reason);
    expect(res.destroyed).toBe(1);
  });
});
