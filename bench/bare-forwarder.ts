// The floor for bench/proxy-cpu.ts: a bare forwarder (read the body, post it to the upstream over
// pooled keep-alive connections, send the answer back; no checks, no report, no deadlines).
// `SERVER=./bare-forwarder.ts node --import tsx bench/proxy-cpu.ts`; CLIENT=undici (default: undici's
// dispatcher, as the direct path uses it) or CLIENT=http (node:http's client and agent, about a third
// more CPU per request). argv[2]: the upstream base URL; speaks proxy-server.ts's messages ({ url }
// when listening, 'cpu', 'close').
import { Agent as HttpAgent, createServer, request, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Pool } from 'undici';

const target = new URL(`${process.argv[2]!.replace(/\/+$/, '')}/chat/completions`);
const http = process.env.CLIENT === 'http';
const agent = new HttpAgent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' });
const pool = new Pool(target.origin, { connections: 256 });

function viaHttp(body: Buffer, res: ServerResponse): void {
  const up = request({ hostname: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json' });
    answer.pipe(res);
  });
  up.on('error', () => res.destroy());
  up.end(body);
}

function viaUndici(body: Buffer, res: ServerResponse): void {
  const chunks: Buffer[] = [];
  let status = 502;
  pool.dispatch(
    { path: target.pathname, method: 'POST', headers: ['content-type', 'application/json'], body },
    {
      onConnect() {},
      onHeaders(statusCode: number) {
        status = statusCode;
        return true;
      },
      onData(chunk: Buffer) {
        chunks.push(chunk);
        return true;
      },
      onComplete() {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
      },
      onError() {
        res.destroy();
      },
    },
  );
}

const server = createServer((req, res) => {
  const parts: Buffer[] = [];
  req.on('data', (c: Buffer) => parts.push(c));
  req.on('end', () => (http ? viaHttp : viaUndici)(Buffer.concat(parts), res));
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send!({ url: `http://127.0.0.1:${port}` });
});
process.on('message', (message: string) => {
  if (message === 'cpu') process.send!({ cpu: process.cpuUsage() });
  else if (message === 'close') {
    agent.destroy();
    void pool.destroy();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  }
});
