// The guard proxy in its own process for bench/proxy.bench.ts, so its memory and CPU are measured
// alone. argv[2]: the upstream base URL; argv[3]: the server module (a bundle, see proxy-bundle.ts;
// default the source). Sends { url } when listening, then answers 'memory', 'cpu', 'gc', 'close'.
const { createGuardServer } = (await import(process.argv[3] ?? '../src/server/index.js')) as typeof import('../src/server/index.js');

const proxy = await createGuardServer({
  listen: { port: 0 },
  upstream: { baseURL: process.argv[2]!, apiKey: 'bench-key', model: 'fake-model', maxRetries: 0 },
});
const { url } = await proxy.listen();
process.send!({ url });
process.on('message', async (message: string) => {
  if (message === 'memory') {
    const { rss, heapUsed, heapTotal, external } = process.memoryUsage();
    process.send!({ rss, heapUsed, heapTotal, external });
  } else if (message === 'cpu') {
    process.send!({ cpu: process.cpuUsage() });
  } else if (message === 'gc') {
    (globalThis as { gc?: () => void }).gc?.();
    process.send!({ gc: true });
  } else if (message === 'close') {
    await proxy.close();
    process.exit(0);
  }
});
