import { useEffect } from 'preact/hooks';
import { html } from '../lib/html.js';
import { WebhooksSection } from './webhooks.js';

/**
 * The hooks page is a list of sections, each owning one kind of automation and reading
 * only its own public API. Scaling policies (with their recent decisions) and remediation
 * rules (with their audit log) are added here as sections once their APIs exist; until
 * then they are not shown at all rather than shown empty.
 * @type {Array<{ id: string, title: string, Section: () => unknown }>}
 */
const SECTIONS = [{ id: 'webhooks', title: 'Webhooks', Section: WebhooksSection }];

/** Everything opsless does on its own when alerts change. */
export function HooksPage() {
  useEffect(() => {
    document.title = 'Hooks · opsless';
  }, []);
  return html`<section class="page">
    <div class="page-head"><h1>Hooks</h1></div>
    ${SECTIONS.map(
      ({ id, title, Section }) =>
        html`<section class="hook-section" id=${`section-${id}`} aria-labelledby=${`${id}-title`}>
          <h2 id=${`${id}-title`}>${title}</h2>
          <${Section} />
        </section>`,
    )}
  </section>`;
}
