import { useEffect } from 'preact/hooks';
import { html } from '../lib/html.js';
import { RemediationSection } from './remediations.js';
import { ScalingSection } from './scaling.js';
import { WebhooksSection } from './webhooks.js';

/**
 * The hooks page is a list of sections, each owning one kind of automation and reading
 * only its own public API.
 * @type {Array<{ id: string, title: string, Section: () => unknown }>}
 */
const SECTIONS = [
  { id: 'webhooks', title: 'Webhooks', Section: WebhooksSection },
  { id: 'scaling', title: 'Scaling policies', Section: ScalingSection },
  { id: 'remediation', title: 'Remediation runbooks', Section: RemediationSection },
];

/** Everything opsless does on its own when alerts change. */
export function HooksPage() {
  useEffect(() => {
    document.title = 'Hooks · opsless';
  }, []);
  return html`<section class="page">
    <div class="page-head">
      <h1>Hooks</h1>
      <nav class="section-links" aria-label="Sections">
        ${SECTIONS.map(({ id, title }) => html`<a href=${`#section-${id}`}>${title}</a>`)}
      </nav>
    </div>
    ${SECTIONS.map(
      ({ id, title, Section }) =>
        html`<section class="hook-section" id=${`section-${id}`} aria-labelledby=${`${id}-title`}>
          <h2 id=${`${id}-title`}>${title}</h2>
          <${Section} />
        </section>`,
    )}
  </section>`;
}
