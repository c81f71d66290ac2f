import cluster from 'node:cluster';
import { loadConfig } from '../../config/load.js';
import { redactCredentials } from '../../integrations/wire/report-error.js';
import { Secret } from '../../internal/secret.js';
import { createGuardServer, type GuardServer } from '../../server/create-guard-server.js';
import { describeCheck } from '../../server/start-check.js';
import type { Command, CommandIO } from '../command.js';
import { intFlag, parseFlags } from '../parse-flags.js';
import { UsageError } from '../usage-error.js';

const help = `Usage: rewardgate serve --config <file> [--host <host>] [--port <port>] [--workers <n>] [--no-check]

Runs the guard proxy: an OpenAI-compatible server (/v1/chat/completions plain and streaming,
/v1/models, /health) that applies the pipeline of the config file (JSON or YAML; \${VAR} reads
the environment) in front of an OpenAI-compatible upstream or a local ONNX chat model, and serves
configured reward models in the NIM reward shape. See docs/server.md.

Options:
  --config <file>    the pipeline config (required)
  --host <host>      interface to bind (overrides listen.host; default 127.0.0.1)
  --port <port>      port to bind (overrides listen.port; default 8787; 0 picks a free one)
  --workers <n>      worker processes sharing the port (node:cluster; overrides listen.workers; default 1)
  --no-check         skip the start check (one call to the upstream, each scorer and each guard)
  -h, --help         show this help

A bearer token (listen.token, or REWARDGATE_TOKEN) is required to bind off loopback. One JSON
access-log line per request goes to stdout (listen.accessLog: false turns it off); Prometheus
metrics are at GET /metrics. At start every part is called once with its credentials: until all
answer, GET /v1/health/ready is 503 not_ready (the failures go to stderr; checked again every 30 s).
SIGINT / SIGTERM stop accepting requests and let in-flight ones finish (listen.shutdownTimeoutMs).`;

/** `rewardgate serve`: the guard proxy from a config file. */
export const serveCommand: Command = {
  name: 'serve',
  help,
  async run(argv, io) {
    const { values, positionals } = parseFlags(argv, { config: { type: 'string', short: 'c' }, host: { type: 'string' }, port: { type: 'string' }, workers: { type: 'string' }, 'no-check': { type: 'boolean' } }, 'serve');
    if (values.help) return io.stdout.write(`${help}\n`), 0;
    if (!values.config) throw new UsageError('serve: --config <file> is required');
    if (positionals.length) throw new UsageError(`serve: unexpected argument "${positionals[0]}"`);
    const port = values.port === undefined ? undefined : intFlag(values.port, 'port', 0);
    if (port !== undefined && port > 65535) throw new UsageError('--port must be at most 65535');

    const flagWorkers = values.workers === undefined ? undefined : intFlag(values.workers, 'workers', 1);
    const config = await loadConfig(values.config, { env: io.env });
    const workers = flagWorkers ?? config.listen.workers ?? 1;
    if (workers > 1 && cluster.isPrimary) return runWorkers(workers, io);
    if (values.host) config.listen.host = values.host;
    if (port !== undefined) config.listen.port = port;
    if (!config.listen.token && io.env.REWARDGATE_TOKEN) config.listen.token = new Secret(io.env.REWARDGATE_TOKEN);
    config.listen.accessLog ??= true;
    const server = await createGuardServer(config, {
      // One line per failure; the client got an OpenAI-style error with the same message.
      // Masked like the server's default log: an upstream's message may echo a credential.
      onError: (error) => io.stderr.write(redactCredentials(`rewardgate serve: ${(error as Error)?.name ?? 'Error'}: ${(error as Error)?.message ?? String(error)}\n`)),
    });
    const { url } = await server.listen();
    io.stdout.write(`rewardgate: guard proxy listening on ${url} (OpenAI base URL ${url}/v1)\n`);
    const stopChecks = values['no-check'] ? () => {} : checkUntilReady(server, io);
    await new Promise<void>((resolve) => {
      if (io.signal.aborted) resolve();
      else io.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    stopChecks();
    io.stderr.write('rewardgate: shutting down, letting in-flight requests finish\n');
    await server.close();
    return 0;
  },
};

const RECHECK_MS = 30_000;

// The start check, then again every RECHECK_MS while a part fails (a guard service that was down
// at start, a key fixed in the environment of the upstream): readiness follows. Returns the stop.
function checkUntilReady(server: GuardServer, io: CommandIO): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stopped = false;
  const run = async () => {
    const check = await server.check();
    if (stopped) return;
    if (check.ready) return void io.stderr.write(`rewardgate: start check passed (${check.parts.map((p) => p.part).join(', ') || 'nothing to check'})\n`);
    io.stderr.write(`rewardgate: not ready, /v1/health/ready answers 503 until these answer:\n${redactCredentials(describeCheck(check))}\n`);
    timer = setTimeout(() => void run(), RECHECK_MS);
    timer.unref();
  };
  void run();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

// The primary of `--workers N`: forks N copies of this command (each a full proxy; node:cluster
// shares the port between them), replaces one that dies, and on SIGINT / SIGTERM asks each to
// drain and waits for them all.
async function runWorkers(count: number, io: CommandIO): Promise<number> {
  let stopping = false;
  const fork = () => {
    const worker = cluster.fork();
    worker.once('exit', (code) => {
      if (!stopping) {
        io.stderr.write(`rewardgate: worker ${worker.process.pid} exited (${code}); starting another\n`);
        fork();
      }
    });
    return worker;
  };
  for (let i = 0; i < count; i++) fork();
  io.stderr.write(`rewardgate: ${count} workers\n`);
  await new Promise<void>((resolve) => {
    if (io.signal.aborted) resolve();
    else io.signal.addEventListener('abort', () => resolve(), { once: true });
  });
  stopping = true;
  const exits = Object.values(cluster.workers ?? {}).map(
    (w) =>
      new Promise<void>((resolve) => {
        if (!w || w.isDead()) return resolve();
        w.once('exit', () => resolve());
        w.process.kill('SIGTERM');
      }),
  );
  await Promise.all(exits);
  return 0;
}
