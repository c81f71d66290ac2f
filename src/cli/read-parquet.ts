import { ValidationError } from '../errors.js';

/**
 * The rows of a parquet file as plain objects, read with hyparquet (pure JS; snappy, gzip,
 * brotli, zstd and lz4 pages). INT64 columns arrive as bigint and are turned into numbers, so
 * rows read from parquet equal those read from the same data as JSONL.
 */
export async function readParquetRows(bytes: Uint8Array, file: string): Promise<Record<string, unknown>[]> {
  const [{ parquetReadObjects }, { compressors }] = await Promise.all([import('hyparquet'), import('hyparquet-compressors')]);
  // hyparquet reads from an ArrayBuffer of exactly the file.
  const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  try {
    const rows = await parquetReadObjects({ file: buffer, compressors });
    return rows.map((row) => plain(row) as Record<string, unknown>);
  } catch (cause) {
    throw new ValidationError(file, [{ path: '', message: `is not a readable parquet file (${(cause as Error).message})` }], { cause });
  }
}

/** `PAR1` at both ends is a parquet file. */
export function isParquet(bytes: Uint8Array): boolean {
  const magic = (at: number) => bytes[at] === 0x50 && bytes[at + 1] === 0x41 && bytes[at + 2] === 0x52 && bytes[at + 3] === 0x31;
  return bytes.length >= 8 && magic(0) && magic(bytes.length - 4);
}

function plain(value: unknown): unknown {
  if (typeof value === 'bigint') return Number(value);
  if (Array.isArray(value)) return value.map(plain);
  if (value instanceof Date || value instanceof Uint8Array) return value;
  if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plain(v)]));
  return value;
}
