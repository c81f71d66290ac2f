// A minimal OpenTelemetry tracer provider that records spans, so tests need no OpenTelemetry SDK.
import { trace, type Span, type SpanOptions, type Tracer, type TracerProvider } from '@opentelemetry/api';

/** A span as the recording provider saw it. */
export interface Recorded {
  name: string;
  attributes: Record<string, unknown>;
  ended: boolean;
  parent: Recorded | undefined;
}

export function recordingProvider(spans: Recorded[]): TracerProvider {
  const tracer: Tracer = {
    startSpan(name: string, options: SpanOptions = {}, context?) {
      const parentSpan = context ? (trace.getSpan(context) as unknown as { rec?: Recorded } | undefined) : undefined;
      const rec: Recorded = { name, attributes: { ...options.attributes }, ended: false, parent: parentSpan?.rec };
      spans.push(rec);
      const span = {
        rec,
        spanContext: () => ({ traceId: '0'.repeat(32), spanId: '0'.repeat(16), traceFlags: 1 }),
        setAttribute: (k: string, v: unknown) => ((rec.attributes[k] = v), span),
        setAttributes: (a: Record<string, unknown>) => (Object.assign(rec.attributes, a), span),
        setStatus: () => span,
        end: () => void (rec.ended = true),
        isRecording: () => true,
        addEvent: () => span,
        addLink: () => span,
        addLinks: () => span,
        updateName: () => span,
        recordException: () => {},
      };
      return span as unknown as Span;
    },
    startActiveSpan: (() => {
      throw new Error('unused');
    }) as never,
  };
  return { getTracer: () => tracer };
}
