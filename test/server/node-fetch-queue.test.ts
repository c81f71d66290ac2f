// createNodeFetch against a real loopback server with one connection: a call that waits for the
// connection can be aborted there (it fails at once with the caller's reason, and the upstream
// never sees it), and the pool goes on serving the calls after it.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeFetch } from '../../src/server/node-fetch.js';

let server: Server;
let url = '';
const seen: string[] = [];
const held: Array<() => void> = [];
beforeAll(async () => {
  // `/slow` answers when the test releases it, anything else at once.
  server = createServer((req, res) => {
    seen.push(req.url!);
    req.resume();
    req.on('end', () => (req.url === '/slow' ? held.push(() => res.end(req.url)) : res.end(req.url)));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe('createNodeFetch pool', () => {
  it('fails a call aborted while it waits for a connection at once, without sending it', async () => {
    const fetch = createNodeFetch({ maxSockets: 1 });
    const slow = fetch(`${url}/slow`, { method: 'POST', body: 'a' });
    for (let i = 0; i < 200 && held.length === 0; i++) await new Promise((r) => setTimeout(r, 5));
    expect(held).toHaveLength(1); // the one connection is busy from here on
    const caller = new AbortController();
    const queued = fetch(`${url}/queued`, { method: 'POST', body: 'b', signal: caller.signal });
    const reason = new Error('client left');
    caller.abort(reason);
    await expect(queued).rejects.toBe(reason);
    held[0]!();
    expect(await (await slow).text()).toBe('/slow');
    expect(await (await fetch(`${url}/after`, { method: 'POST', body: 'c' })).text()).toBe('/after');
    expect(seen).toEqual(['/slow', '/after']);
  });
});
