/** Where a command reads and writes; tests and `main` pass the process streams. */
export interface CommandIO {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WriteStream | NodeJS.WritableStream;
  env: Record<string, string | undefined>;
  /** Aborts on SIGINT / SIGTERM. */
  signal: AbortSignal;
}

/** One `rewardgate <name>` command. `run` resolves to the exit code. */
export interface Command {
  name: string;
  help: string;
  run(argv: string[], io: CommandIO): Promise<number>;
}
