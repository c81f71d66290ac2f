import { APIError } from '../errors.js';
import { raceAbort } from '../internal/abortable-sleep.js';
import { redactSecret } from '../internal/redact-secret.js';

/** The server's request id, from the headers NIM, NVCF and OpenAI-compatible servers send. */
export function requestIdOf(headers: Headers): string | undefined {
  return headers.get('x-request-id') ?? headers.get('nvcf-reqid') ?? headers.get('request-id') ?? undefined;
}

/** Reads an error response's body (JSON when it parses) into the APIError for its status. */
export async function errorFromResponse(response: Response, signal: AbortSignal, secret: string | undefined): Promise<APIError> {
  let text = '';
  try {
    text = await raceAbort(response.text(), signal);
  } catch {
    // An unreadable error body still yields the status-based error.
  }
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = text;
  }
  return APIError.generate(response.status, redactSecret(body, secret), requestIdOf(response.headers));
}
