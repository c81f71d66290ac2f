// OpenTelemetry SERVER spans for the proxy's requests, when `@opentelemetry/api` is installed (an
// optional peer, loaded once in the background like the pipeline's spans). The request runs in
// the span's context, so the pipeline's `chat` spans become its children.
import type { Span } from '@opentelemetry/api';

let api: typeof import('@opentelemetry/api') | null | undefined;
// One tracer for every request: the API's proxy tracer follows a provider registered later.
let tracer: import('@opentelemetry/api').Tracer | undefined;
let loading: Promise<void> | undefined;

/** Starts loading the API (idempotent); until then, or without it, requests run without spans. */
export function loadServerTelemetry(): Promise<void> {
  loading ??= import('@opentelemetry/api').then(
    (mod) => {
      api = mod;
      tracer = mod.trace.getTracer('rewardgate');
    },
    () => {
      api = null;
    },
  );
  return loading;
}

/** Runs `work` inside a server span named `{method} {route}`, ended with the status `work` resolves to. */
// Not async itself: without a span, `work`'s promise is the request's, with no wrapper around it.
export function withServerSpan(method: string, route: string, requestId: string, work: (span: Span | undefined) => Promise<number>): Promise<number> {
  if (!api || !tracer) return work(undefined);
  let span: Span;
  try {
    span = tracer.startSpan(`${method} ${route}`, {
      kind: 1, // SpanKind.SERVER
      attributes: { 'http.request.method': method, 'http.route': route, 'rewardgate.request_id': requestId },
    });
  } catch (error) {
    return Promise.reject(error); // a failing tracer fails the request, never the server
  }
  // No tracer provider registered: the span is the API's no-op one, and entering a context for it
  // would cost more per request than the rest of the proxy's bookkeeping.
  if (span.spanContext() === api.INVALID_SPAN_CONTEXT) return work(undefined);
  return traced(api, span, work);
}

async function traced(api: typeof import('@opentelemetry/api'), span: Span, work: (span: Span | undefined) => Promise<number>): Promise<number> {
  try {
    const status = await api.context.with(api.trace.setSpan(api.context.active(), span), () => work(span));
    span.setAttribute('http.response.status_code', status);
    if (status >= 500) span.setStatus({ code: 2 }); // SpanStatusCode.ERROR
    return status;
  } catch (error) {
    span.setStatus({ code: 2, message: error instanceof Error ? error.name : 'Error' });
    throw error;
  } finally {
    span.end();
  }
}
