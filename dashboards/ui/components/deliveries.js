import { Badge } from './badges.js';
import { formatTime } from '../lib/format.js';
import { html } from '../lib/html.js';

/** @typedef {import('../api-types').Delivery} Delivery */

/**
 * Webhook deliveries of events: the alert page's and each subscription's log.
 * @param {{ deliveries: Delivery[], showWebhook?: boolean }} props
 */
export function DeliveryTable({ deliveries, showWebhook = false }) {
  return html`<div class="table-scroll">
    <table class="deliveries">
      <thead>
        <tr>
          <th scope="col">Event</th>
          ${showWebhook && html`<th scope="col">Webhook</th>`}
          <th scope="col">Status</th>
          <th scope="col" class="numeric">Attempts</th>
          <th scope="col">Last answer</th>
          <th scope="col">Event time</th>
          <th scope="col">Next attempt</th>
        </tr>
      </thead>
      <tbody>
        ${deliveries.map(
          (d) =>
            html`<tr>
              <th scope="row" class="name"><code>${d.type}</code></th>
              ${
                showWebhook &&
                html`<td>
                  <a href=${`/hooks#${d.webhookId ?? ''}`}><code>${d.webhookId}</code></a>
                </td>`
              }
              <td><${Badge} value=${d.status} /></td>
              <td class="numeric">${d.attempts}</td>
              <td>
                ${d.lastStatus ?? ''}${d.lastError ? html` <span class="muted small">${d.lastError}</span>` : d.lastStatus === null ? '–' : ''}
              </td>
              <td><time datetime=${d.eventTime}>${formatTime(d.eventTime)}</time></td>
              <td>${d.nextAttemptAt ? formatTime(d.nextAttemptAt) : '–'}</td>
            </tr>`,
        )}
      </tbody>
    </table>
  </div>`;
}
