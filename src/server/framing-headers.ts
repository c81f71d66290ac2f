// Headers that frame an HTTP/1.1 message or its connection. The proxy's transports frame each
// upstream request themselves, so one configured in `upstream.headers` is left out (undici refuses
// them; node:http would send a Content-Length or Connection that breaks the exchange), the same on
// the direct and the full path.
const FRAMING_HEADERS = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'expect', 'content-length']);

/** Whether `name` (any case) is a framing header the transport sets itself. */
export function isFramingHeader(name: string): boolean {
  return FRAMING_HEADERS.has(name.toLowerCase());
}
