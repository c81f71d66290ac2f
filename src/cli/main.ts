// The `rewardgate` command line: demo, score, eval, eval-guard, serve. Exit codes: 0 ok, 1 failure, 2 usage.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { redactCredentials } from '../integrations/wire/report-error.js';
import type { Command, CommandIO } from './command.js';
import { packageRoot } from './package-root.js';
import { UsageError } from './usage-error.js';

// Each command loads on use, so `--help` and usage errors start fast and never load models.
const commands: Array<{ name: string; summary: string; load: () => Promise<Command> }> = [
  { name: 'demo', summary: 'run best-of-n, a score bar and safety rails on a few prompts, offline', load: async () => (await import('./commands/demo.js')).demoCommand },
  { name: 'score', summary: 'add reward scores to JSONL rows of conversations', load: async () => (await import('./commands/score.js')).scoreCommand },
  { name: 'eval', summary: 'RewardBench 1 and 2 scores of reward models, side by side', load: async () => (await import('./commands/eval.js')).evalCommand },
  { name: 'eval-guard', summary: 'precision, recall, F1 and FPR of guards on labelled rows', load: async () => (await import('./commands/eval-guard.js')).evalGuardCommand },
  { name: 'serve', summary: 'run the OpenAI-compatible guard proxy from a config file', load: async () => (await import('./commands/serve.js')).serveCommand },
];

const overview = `Usage: rewardgate <command> [options]

Commands:
${commands.map((c) => `  ${c.name.padEnd(12)}${c.summary}`).join('\n')}

Run "rewardgate <command> --help" for a command's options.
  -h, --help       show this help
  -v, --version    print the version`;

async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === '-h' || name === '--help' || name === 'help') return print(process.stdout, overview), 0;
  if (name === '-v' || name === '--version') return print(process.stdout, version()), 0;
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    print(process.stderr, name === undefined ? overview : `rewardgate: unknown command "${name}"\n\n${overview}`);
    return 2;
  }
  // First signal: stop gracefully (serve drains, others abort their work); second: exit now.
  const controller = new AbortController();
  const onSignal = () => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort(new Error('interrupted'));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  const io: CommandIO = { stdout: process.stdout, stderr: process.stderr, env: process.env, signal: controller.signal };
  const command = await entry.load();
  try {
    return await command.run(rest, io);
  } catch (error) {
    if (error instanceof UsageError) {
      print(process.stderr, `rewardgate ${command.name}: ${error.message}\nRun "rewardgate ${command.name} --help" for usage.`);
      return 2;
    }
    const e = error as Error;
    // Masked: an upstream's message may echo a credential.
    print(process.stderr, redactCredentials(`rewardgate ${command.name}: ${controller.signal.aborted ? 'interrupted' : `${e?.name ?? 'Error'}: ${e?.message ?? String(error)}`}`));
    return 1;
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

function print(stream: NodeJS.WriteStream, text: string): void {
  stream.write(`${text}\n`);
}

function version(): string {
  const root = packageRoot();
  return root ? (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version : 'unknown';
}

const code = await main(process.argv.slice(2));
// Exit once output is flushed; idle keep-alive sockets of HTTP clients must not hold the process.
process.stdout.write('', () => process.exit(code));
