import { stat, writeFile } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import { ValidationError } from '../errors.js';

/** Where `eval` / `eval-guard` write: the report (table or JSON) to stdout or `--out`, and `--html`. */
export interface EvalOutputs {
  out?: string | undefined;
  html?: string | undefined;
}

/** Fails fast, before any model loads, when the folder of `--out` or `--html` does not exist. */
export async function checkOutputs(outputs: EvalOutputs): Promise<void> {
  for (const [flag, file] of Object.entries(outputs)) {
    if (!file) continue;
    const dir = dirname(resolve(file));
    const info = await stat(dir).catch(() => undefined);
    if (!info?.isDirectory()) throw new ValidationError(`--${flag} ${file}`, [{ path: '', message: `its folder ${dir} does not exist` }]);
  }
}

/** Writes the report to `--out` (or stdout) and the page to `--html`. */
export async function writeOutputs(outputs: EvalOutputs, report: string, html: () => string, stdout: NodeJS.WritableStream): Promise<void> {
  if (outputs.html) await writeFile(outputs.html, html());
  if (outputs.out) await writeFile(outputs.out, report);
  else stdout.write(report);
}

/** A ValidationError about `rows[i]` renamed to the file and line (or parquet row) it came from. */
export function atSource(error: unknown, where: string[]): unknown {
  if (!(error instanceof ValidationError)) return error;
  const m = /^Invalid rows\[(\d+)\]: /.exec(error.message);
  const source = m ? where[Number(m[1])] : undefined;
  return source ? new ValidationError(source, error.issues, { cause: error }) : error;
}
