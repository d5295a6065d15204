import { isSpanContextValid, trace, type Span } from '@opentelemetry/api';

/** trace_id and span_id of a span (the active one by default), so log lines join traces. */
export function traceFields(span: Span | undefined = trace.getActiveSpan()): {
  trace_id?: string;
  span_id?: string;
} {
  const spanContext = span?.spanContext();
  if (!spanContext || !isSpanContextValid(spanContext)) return {};
  return { trace_id: spanContext.traceId, span_id: spanContext.spanId };
}
