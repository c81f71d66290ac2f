import { readFile } from 'node:fs/promises';
import { buffer as readStream } from 'node:stream/consumers';
import { ValidationError } from '../errors.js';
import { isParquet, readParquetRows } from './read-parquet.js';
import { parseJsonl } from './read-jsonl.js';

/** A file's rows, each with where it came from (`rows.jsonl line 3`, `data.parquet row 3`). */
export interface RowsRead {
  kind: 'jsonl' | 'parquet';
  values: unknown[];
  where: string[];
}

/**
 * Reads benchmark rows from a parquet file (as the Hugging Face datasets publish them) or a JSONL
 * file; `-` reads stdin (either kind). The kind is told by the content (parquet's `PAR1` magic),
 * not the name. No rows at all is an error that says so.
 */
export async function readRows(file: string, stdin: NodeJS.ReadableStream = process.stdin): Promise<RowsRead> {
  let bytes: Uint8Array;
  try {
    bytes = file === '-' ? await readStream(stdin) : await readFile(file);
  } catch (cause) {
    throw new ValidationError(file, [{ path: '', message: `cannot be read (${(cause as NodeJS.ErrnoException).code ?? String(cause)})` }], { cause });
  }
  let read: RowsRead;
  if (isParquet(bytes)) {
    const values = await readParquetRows(bytes, file);
    read = { kind: 'parquet', values, where: values.map((_, i) => `${file} row ${i + 1}`) };
  } else {
    const records = parseJsonl(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8'), file);
    read = { kind: 'jsonl', values: records.map((r) => r.value), where: records.map((r) => `${file} line ${r.line}`) };
  }
  if (read.values.length === 0) {
    throw new ValidationError(file, [{ path: '', message: `has no rows (${file === '-' ? 'stdin was empty' : 'an empty file'}); give a JSONL or parquet file with at least one row` }]);
  }
  return read;
}
