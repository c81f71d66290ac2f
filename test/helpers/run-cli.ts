// Runs the `rewardgate` CLI from source as a child process, the way a user runs the bin.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Starts the CLI; stdout and stderr are pipes (so, like CI, no progress bar). */
export function startCli(args: string[], env: Record<string, string | undefined> = {}): ChildProcess {
  // Hermetic: the developer's own keys and settings never reach the CLI under test.
  const base = { ...process.env };
  for (const name of ['NVIDIA_API_KEY', 'NIM_BASE_URL', 'REWARDGATE_TOKEN', 'REWARDGATE_MODELS']) delete base[name];
  return spawn(process.execPath, ['--import', 'tsx', MAIN, ...args], { cwd: ROOT, env: { ...base, ...env }, stdio: ['pipe', 'pipe', 'pipe'] });
}

/** Runs the CLI to its end. `input` is written to stdin. */
export function runCli(args: string[], options: { env?: Record<string, string | undefined>; input?: string } = {}): Promise<CliResult> {
  const child = startCli(args, options.env);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  // A command that never reads stdin may exit first; writing to it then fails with EPIPE.
  child.stdin!.on('error', () => {});
  child.stdin!.end(options.input ?? '');
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** A running `rewardgate serve`: its URL once it listens, what it wrote to stderr so far, and stop. */
export interface ServeProcess {
  url: string;
  readonly stderr: string;
  /** SIGTERM, then the exit code. */
  stop(): Promise<number | null>;
}

/** Starts `rewardgate serve` with `args` and resolves once it says where it listens. */
export async function startServe(args: string[], env: Record<string, string | undefined> = {}): Promise<ServeProcess> {
  const child = startCli(['serve', ...args], env);
  let stdout = '';
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout!.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      const m = /listening on (http:\/\/\S+) /.exec(stdout);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`serve exited early: ${stderr}`)));
  });
  return {
    url,
    get stderr() {
      return stderr;
    },
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
