// The floor for bench/proxy-cpu.ts: a bare node:http forwarder (read the body, post it to the
// upstream over a keep-alive agent, send the answer back; no checks, no report, no deadlines).
// `SERVER=./bare-forwarder.ts node --import tsx bench/proxy-cpu.ts`. argv[2]: the upstream base URL;
// speaks proxy-server.ts's messages ({ url } when listening, 'cpu', 'close').
import { Agent, createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';

const target = new URL(`${process.argv[2]!.replace(/\/+$/, '')}/chat/completions`);
const agent = new Agent({ keepAlive: true, maxSockets: 256, scheduling: 'lifo' });

const server = createServer((req, res) => {
  const parts: Buffer[] = [];
  req.on('data', (c: Buffer) => parts.push(c));
  req.on('end', () => {
    const body = Buffer.concat(parts);
    const up = request({ hostname: target.hostname, port: target.port, path: target.pathname, method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': body.length } }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, { 'content-type': answer.headers['content-type'] ?? 'application/json' });
      answer.pipe(res);
    });
    up.on('error', () => res.destroy());
    up.end(body);
  });
});

server.listen(0, '127.0.0.1', () => {
  const { port } = server.address() as AddressInfo;
  process.send!({ url: `http://127.0.0.1:${port}` });
});
process.on('message', (message: string) => {
  if (message === 'cpu') process.send!({ cpu: process.cpuUsage() });
  else if (message === 'close') {
    agent.destroy();
    server.close(() => process.exit(0));
    server.closeAllConnections();
  }
});
