import { html } from '../lib/html.js';

/**
 * Attributes (of a span, a resource, a log record) as a name/value table, by name.
 * @param {{ attributes: Record<string, string> }} props
 */
export function AttributeTable({ attributes }) {
  const entries = Object.entries(attributes).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return html`<p class="muted">None.</p>`;
  return html`<div class="table-scroll">
    <table class="attributes">
      <tbody>
        ${entries.map(
          ([name, value]) =>
            html`<tr>
              <th scope="row"><code>${name}</code></th>
              <td class="mono">${value}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
