/** Headers that carry a server's request id, in order of preference (NIM, NVCF, OpenAI-compatible servers). */
const REQUEST_ID_HEADERS = ['x-request-id', 'nvcf-reqid', 'request-id'] as const;

/** The server's request id, from fetch Headers or node:http's lower-cased header object. */
export function requestIdOf(headers: Headers | Readonly<Record<string, string | string[] | undefined>>): string | undefined {
  for (const name of REQUEST_ID_HEADERS) {
    const value = typeof headers.get === 'function' ? (headers as Headers).get(name) : (headers as Record<string, unknown>)[name];
    if (typeof value === 'string') return value;
  }
  return undefined;
}
