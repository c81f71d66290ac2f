// Preloaded into the Portkey gateway process by bench/proxy.bench.ts. Portkey 1.15.2 appends its
// own headers to the upstream's fetch Response on the streaming path, and Node's fetch Responses
// have immutable headers ("TypeError: immutable", a 500 on every stream, on Node 20 and 24 alike).
// Re-wrapping each Response (same body stream, same status and headers) makes them mutable so
// the streaming mode can be measured at all; it costs one Response object per call.
const original = globalThis.fetch;
globalThis.fetch = async (input, init) => {
  const response = await original(input, init);
  return new Response(response.body, { status: response.status, statusText: response.statusText, headers: new Headers(response.headers) });
};
