/** The server's request id, from the headers NIM, NVCF and OpenAI-compatible servers send. */
export function requestIdOf(headers: Headers): string | undefined {
  return headers.get('x-request-id') ?? headers.get('nvcf-reqid') ?? headers.get('request-id') ?? undefined;
}
