// How server-side failures are reported when the app gives no `onError`: a printed summary that
// is safe to ship to logs. Edge-safe (no Node imports): the web handler uses it too.

const MAX_CAUSES = 5;
// Scalar fields that help tell failures apart; anything else on an error (a Request with its
// headers, a client config holding a key) is left out of the summary.
const FIELDS = ['status', 'code', 'kind', 'phase', 'requestId'] as const;

// Credentials as they show up in messages: auth headers, well-known key prefixes (NVIDIA,
// OpenAI, Anthropic, Hugging Face, Groq, xAI, Google), key-like query or JSON fields, and the
// user:password part of URLs. A value must look like a credential (8+ characters or a digit in
// it), so rewardgate's own prose ("listen.token: a bearer token is required") stays readable.
const VALUE = String.raw`(?=[^\s"'&#,;)}\]]*\d|[^\s"'&#,;)}\]]{8})[^\s"'&#,;)}\]]+`;
const CREDENTIALS: ReadonlyArray<[RegExp, string]> = [
  [new RegExp(String.raw`\b(Bearer\s+)${VALUE}`, 'gi'), '$1[redacted]'],
  [/\b(?:nvapi-|sk-|hf_|gsk_|xai-|AIza)[\w-]{8,}/g, '[redacted]'],
  [new RegExp(String.raw`(["']?\b(?:api[_-]?key|apikey|x-api-key|access[_-]?token|token|secret|password|authorization)["']?\s*[:=]\s*["']?)(?!\[redacted\]|Bearer\s)${VALUE}`, 'gi'), '$1[redacted]'],
  [/([?&](?:key|api[_-]?key|token|access_token)=)[^&\s#"']+/gi, '$1[redacted]'],
  [/(\b[a-z][a-z\d+.-]*:\/\/)[^\s/@:"'<>]+(?::[^\s/@"'<>]*)?@/gi, '$1[redacted]@'],
];

/** Masks credentials in a text (auth headers, known key prefixes, `api_key=...` fields). */
export function redactCredentials(text: string): string {
  let out = text;
  for (const [pattern, replacement] of CREDENTIALS) out = out.replace(pattern, replacement);
  return out;
}

/**
 * A thrown value as loggable text: its stack (or name and message), a few scalar fields
 * (status, code, kind...) and its `cause` chain, with credentials masked. Other properties are
 * never printed, so an error that carries a request or a client config cannot leak its key.
 */
export function describeError(error: unknown): string {
  const lines: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth <= MAX_CAUSES && current !== undefined; depth++) {
    lines.push((depth === 0 ? '' : 'Caused by: ') + describeOne(current));
    current = current instanceof Error ? current.cause : undefined;
  }
  return redactCredentials(lines.join('\n'));
}

function describeOne(value: unknown): string {
  if (!(value instanceof Error)) {
    return typeof value === 'string' ? value : `a thrown ${value === null ? 'null' : typeof value} (not an Error)`;
  }
  const record = value as unknown as Record<string, unknown>;
  const fields = FIELDS.filter((k) => typeof record[k] === 'string' || typeof record[k] === 'number').map((k) => `${k}=${String(record[k])}`);
  // The stack's own first line may name a base class (subclasses set `name` after construction).
  const frames = (value.stack ?? '').split('\n').filter((line) => /^\s+at /.test(line));
  const head = [`${value.name}: ${value.message}`, ...frames].join('\n');
  return fields.length ? `${head}\n    (${fields.join(', ')})` : head;
}

/**
 * Sends a server-side failure (a 5xx answer, a broken stream) to `onError`, or, without one,
 * prints {@link describeError}'s summary with `console.error`: the answer itself says nothing
 * about the failure, so it must be visible somewhere, and logs must never hold an API key.
 */
export function reportError(error: unknown, onError: ((error: unknown) => void) | undefined, what = 'chat request'): void {
  if (onError) onError(error);
  else console.error(`rewardgate: ${what} failed: ${describeError(error)}`);
}
