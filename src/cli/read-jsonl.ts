import { readFile } from 'node:fs/promises';
import { text as readStream } from 'node:stream/consumers';
import { ValidationError } from '../errors.js';

/** One JSONL record and the line it came from (for error messages). */
export interface JsonlRecord {
  line: number;
  value: unknown;
}

/**
 * Reads a JSONL file (`-` reads stdin). Blank lines are skipped; a line that is not JSON throws a
 * ValidationError naming the file and line.
 */
export async function readJsonl(file: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<JsonlRecord[]> {
  let content: string;
  try {
    content = file === '-' ? await readStream(stdin) : await readFile(file, 'utf8');
  } catch (cause) {
    throw new ValidationError(file, [{ path: '', message: `cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})` }], { cause });
  }
  return parseJsonl(content, file);
}

/** JSONL text as records; a line that is not JSON throws a ValidationError naming `file` and the line. */
export function parseJsonl(content: string, file: string): JsonlRecord[] {
  const records: JsonlRecord[] = [];
  content.split(/\r?\n/).forEach((raw, i) => {
    if (raw.trim() === '') return;
    try {
      records.push({ line: i + 1, value: JSON.parse(raw) });
    } catch (cause) {
      throw new ValidationError(file, [{ path: `line ${i + 1}`, message: `not valid JSON (${(cause as Error).message})` }], { cause });
    }
  });
  return records;
}
