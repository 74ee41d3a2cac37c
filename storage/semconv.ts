/**
 * SQL expressions over `otel_traces` rows that encode the semantic conventions,
 * shared by every query that counts errors or picks a service's entry spans.
 */

/** HTTP status code of a span, from the current or the old attribute name; 0 when absent. */
const HTTP_STATUS_SQL =
  "toUInt16OrZero(if(SpanAttributes['http.response.status_code'] != '', " +
  "SpanAttributes['http.response.status_code'], SpanAttributes['http.status_code']))";

/**
 * A span is an error when its status is ERROR; an HTTP server span also when it
 * answered 5xx, an HTTP client span when it got 4xx or 5xx; a gRPC server span
 * when its code is one the conventions count as a server error.
 */
export const ERROR_SPAN_SQL =
  "(StatusCode = 'Error'" +
  ` OR (SpanKind = 'Server' AND ${HTTP_STATUS_SQL} >= 500)` +
  ` OR (SpanKind = 'Client' AND ${HTTP_STATUS_SQL} >= 400)` +
  " OR (SpanKind = 'Server' AND SpanAttributes['rpc.grpc.status_code'] IN ('2','4','12','13','14','15')))";

/** Spans where a request enters a service: server and consumer spans, and roots. */
export const ENTRY_SPAN_SQL = "(SpanKind IN ('Server', 'Consumer') OR ParentSpanId = '')";

/** A span's `deployment.environment.name`, or the deprecated `deployment.environment`. */
export const ENVIRONMENT_SQL =
  "if(ResourceAttributes['deployment.environment.name'] != '', " +
  "ResourceAttributes['deployment.environment.name'], ResourceAttributes['deployment.environment'])";
