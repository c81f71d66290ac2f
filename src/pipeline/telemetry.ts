// Internal: OpenTelemetry spans when `@opentelemetry/api` is installed (an optional peer). It is
// imported lazily and once; until it has loaded, or when it is absent, calls run without spans.
import type { Span, Tracer } from '@opentelemetry/api';

let tracer: Tracer | null | undefined;
let api: typeof import('@opentelemetry/api') | undefined;
let loading: Promise<void> | undefined;

/** Starts loading the API in the background (idempotent). */
export function loadTelemetry(): Promise<void> {
  loading ??= import('@opentelemetry/api').then(
    (mod) => {
      api = mod;
      tracer = mod.trace.getTracer('rewardgate');
    },
    () => {
      tracer = null;
    },
  );
  return loading;
}

/** A span named after the GenAI conventions (`chat {model}`), or undefined without OpenTelemetry. */
export function startChatSpan(model: string | undefined, attributes: Record<string, string | number | boolean>, parent?: Span): Span | undefined {
  if (!tracer || !api) return undefined;
  const context = parent ? api.trace.setSpan(api.context.active(), parent) : undefined;
  return tracer.startSpan(
    model ? `chat ${model}` : 'chat',
    {
      kind: 2, // SpanKind.CLIENT
      // Built without omitUndefined: this runs for every call, span or no span.
      attributes: model ? { 'gen_ai.operation.name': 'chat', 'gen_ai.request.model': model, ...attributes } : { 'gen_ai.operation.name': 'chat', ...attributes },
    },
    context,
  );
}

/** Ends a span with the completion's usage and finish reason, or with the error. */
export function endSpan(span: Span | undefined, result: { finishReason?: string; usage?: { promptTokens: number; completionTokens: number }; attributes?: Record<string, string | number | boolean> } | undefined, error?: unknown): void {
  if (!span) return;
  if (result?.finishReason) span.setAttribute('gen_ai.response.finish_reasons', [result.finishReason]);
  if (result?.usage) {
    span.setAttribute('gen_ai.usage.input_tokens', result.usage.promptTokens);
    span.setAttribute('gen_ai.usage.output_tokens', result.usage.completionTokens);
  }
  if (result?.attributes) span.setAttributes(result.attributes);
  if (error !== undefined) {
    span.setAttribute('error.type', error instanceof Error ? error.name : 'Error');
    span.setStatus({ code: 2, message: error instanceof Error ? error.message : String(error) }); // SpanStatusCode.ERROR
  }
  span.end();
}
