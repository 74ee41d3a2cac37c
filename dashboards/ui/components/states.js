import { useState } from 'preact/hooks';
import { html } from '../lib/html.js';
import { useInfo } from '../lib/info.js';

/**
 * @param {{ label?: string }} props
 */
export function Loading({ label = 'Loading…' }) {
  return html`<p class="state loading" role="status" aria-live="polite">
    <span class="spinner" aria-hidden="true"></span>${label}
  </p>`;
}

/**
 * What went wrong, in the API's words, and a way to try again.
 * @param {{ error: Error, retry?: () => void }} props
 */
export function ErrorNotice({ error, retry }) {
  return html`<div class="state error" role="alert">
    <strong>Could not load this.</strong>
    <span>${error.message}</span>
    ${retry && html`<button type="button" onClick=${retry}>Try again</button>`}
  </div>`;
}

/**
 * Copies `text` to the clipboard, saying so.
 * @param {{ text: string, label?: string }} props
 */
export function CopyButton({ text, label = 'Copy' }) {
  const [copied, setCopied] = useState(false);
  const copy = () => {
    navigator.clipboard.writeText(text).then(
      () => {
        setCopied(true);
        window.setTimeout(() => setCopied(false), 2000);
      },
      () => setCopied(false),
    );
  };
  return html`<button type="button" class="copy" onClick=${copy} aria-live="polite">
    ${copied ? 'Copied' : label}
  </button>`;
}

/**
 * A block of code with a copy button.
 * @param {{ code: string, label: string }} props
 */
export function Snippet({ code, label }) {
  return html`<div class="snippet">
    <pre aria-label=${label}><code>${code}</code></pre>
    <${CopyButton} text=${code} label=${`Copy ${label}`} />
  </div>`;
}

/** A guess at the OTLP/HTTP endpoint (this host, the default port), when the API cannot say. */
function guessedOtlpEndpoint() {
  return `${window.location.protocol}//${window.location.hostname}:4318`;
}

/**
 * What a new user does first: point an OpenTelemetry SDK at opsless, at the endpoint the
 * API says its collector listens on.
 * @param {{ title?: string }} props
 */
export function EmptyTelemetry({ title = 'No telemetry yet' }) {
  const info = useInfo();
  if (info === undefined) {
    return html`<section class="empty" aria-labelledby="empty-title">
      <h2 id="empty-title">${title}</h2>
      <${Loading} label="Reading where to send telemetry…" />
    </section>`;
  }
  const known = info?.otlpHttpEndpoint ?? null;
  const endpoint = known ?? guessedOtlpEndpoint();
  const env = `export OTEL_EXPORTER_OTLP_ENDPOINT=${endpoint}
export OTEL_SERVICE_NAME=checkout`;
  const node = `// otel.mjs — node --import ./otel.mjs app.js
import { NodeSDK } from '@opentelemetry/sdk-node';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { getNodeAutoInstrumentations } from '@opentelemetry/auto-instrumentations-node';

const sdk = new NodeSDK({
  traceExporter: new OTLPTraceExporter(), // reads OTEL_EXPORTER_OTLP_ENDPOINT
  instrumentations: [getNodeAutoInstrumentations()],
});
sdk.start();`;
  return html`<section class="empty" aria-labelledby="empty-title">
    <h2 id="empty-title">${title}</h2>
    <p>
      Send OpenTelemetry traces, metrics or logs over OTLP and your services appear here within
      seconds. Any OpenTelemetry SDK works: set the endpoint and a service name.
    </p>
    <p>
      OTLP/HTTP endpoint: <code data-testid="otlp-endpoint">${endpoint}</code>${' '}
      <${CopyButton} text=${endpoint} />
      <br />
      ${
        known
          ? html`<small
              >Where this opsless's collector
              listens${
                info?.otlpGrpcEndpoint
                  ? html`; OTLP/gRPC: <code>${info.otlpGrpcEndpoint}</code>`
                  : ''
              }.
              Behind a proxy, use the address your services reach it at.</small
            >`
          : html`<small
              >That is the default port; if opsless runs with another
              <code>OPSLESS_OTLP_HTTP_PORT</code>, runs its collector apart, or behind a proxy, use
              that address. OTLP/gRPC listens on 4317.</small
            >`
      }
    </p>
    <${Snippet} code=${env} label="environment variables" />
    <${Snippet} code=${node} label="Node.js setup" />
  </section>`;
}

/**
 * @param {{ children: unknown }} props
 */
export function EmptyNote({ children }) {
  return html`<p class="state empty-note">${children}</p>`;
}
