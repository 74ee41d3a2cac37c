import { useEffect, useState } from 'preact/hooks';
import { Badge } from '../components/badges.js';
import { EmptyNote, ErrorNotice, Loading } from '../components/states.js';
import { ApiError, apiSend } from '../lib/api.js';
import { formatMs, formatTime } from '../lib/format.js';
import { html } from '../lib/html.js';
import { link } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';

/**
 * @typedef {import('../api-types').DemoIncident} DemoIncident
 * @typedef {import('../api-types').DemoStory} DemoStory
 */

/** How often the page reads the story again: incidents start and end on their own. */
const POLL_MS = 3_000;

/**
 * The demo's story (`opsless demo` only): each incident with its time and state, and
 * buttons to run one now or skip it while it is scheduled.
 */
export function DemoPage() {
  const state = useApi('/v1/demo');
  const [nowMs, setNowMs] = useState(() => Date.now());
  useEffect(() => {
    document.title = 'Demo · opsless';
  }, []);
  const { reload } = state;
  useEffect(() => {
    const timer = window.setInterval(() => {
      setNowMs(Date.now());
      reload();
    }, POLL_MS);
    return () => window.clearInterval(timer);
  }, [reload]);

  const story = /** @type {DemoStory | undefined} */ (state.data);
  let body;
  if (state.error && !story) {
    body =
      state.error instanceof ApiError && state.error.status === 404
        ? html`<${EmptyNote}
            >The demo is not running here. Start it with <code>npm run demo</code>.</${EmptyNote}
          >`
        : html`<${ErrorNotice} error=${state.error} retry=${state.reload} />`;
  } else if (!story) {
    body = html`<${Loading} />`;
  } else {
    body = html`<${StoryTable} story=${story} nowMs=${nowMs} onChange=${state.reload} />`;
  }
  return html`<section class="page">
    <div class="page-head"><h1>Demo</h1></div>
    <p class="muted">
      The demo plays a story of incidents on a schedule, and the console narrates what opsless does
      about each. Run one now rather than wait for it, or skip one you do not want to see; then
      watch the <a href=${link('/services')}>services</a>,${' '}
      <a href=${link('/alerts')}>alerts</a>${' and '}<a href=${link('/hooks')}>hooks</a>.
    </p>
    ${body}
  </section>`;
}

/**
 * @param {{ story: DemoStory, nowMs: number, onChange: () => void }} props
 */
function StoryTable({ story, nowMs, onChange }) {
  const startedMs = story.startedAt ? Date.parse(story.startedAt) : null;
  return html`${
      startedMs === null &&
      html`<p class="state" role="status">
        The demo is still sending history; the story starts when it is done, and incidents can run
        from then on.
      </p>`
    }
    <div class="table-scroll">
      <table class="demo-incidents">
        <thead>
          <tr>
            <th scope="col">When</th>
            <th scope="col">Incident</th>
            <th scope="col">State</th>
            <th scope="col"><span class="visually-hidden">Actions</span></th>
          </tr>
        </thead>
        <tbody>
          ${story.incidents.map(
            (incident) =>
              html`<${IncidentRow}
                key=${incident.id}
                incident=${incident}
                startedMs=${startedMs}
                nowMs=${nowMs}
                onChange=${onChange}
              />`,
          )}
        </tbody>
      </table>
    </div>`;
}

/**
 * @param {{ incident: DemoIncident, startedMs: number | null, nowMs: number, onChange: () => void }} props
 */
function IncidentRow({ incident, startedMs, nowMs, onChange }) {
  const [changed, setChanged] = useState(/** @type {DemoIncident | null} */ (null));
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState('');
  // The answer to an action is newer than the list until the list is read again.
  const shown =
    changed && changed.state !== 'scheduled' && incident.state === 'scheduled' ? changed : incident;
  const act = (/** @type {'run' | 'skip'} */ action) => {
    setBusy(true);
    setProblem('');
    apiSend('POST', `/v1/demo/incidents/${encodeURIComponent(incident.id)}`, { action }).then(
      (answer) => {
        setBusy(false);
        setChanged(/** @type {DemoIncident} */ (answer));
        onChange();
      },
      (error) => {
        setBusy(false);
        setProblem(error instanceof Error ? error.message : String(error));
      },
    );
  };
  return html`<tr data-incident=${shown.id} data-state=${shown.state}>
    <td>${when(shown, startedMs, nowMs)}</td>
    <th scope="row" class="name">
      ${shown.description}
      ${
        shown.ends &&
        html`<br /><span class="muted small"
            >${`then, ${formatMs(shown.ends.afterSeconds * 1000)} later: ${shown.ends.description}`}</span
          >`
      }
      ${problem && html`<p class="field-error" role="alert">${problem}</p>`}
    </th>
    <td><${Badge} value=${shown.state} /></td>
    <td>
      ${
        shown.state === 'scheduled' &&
        html`<div class="row-actions">
          <button
            type="button"
            disabled=${busy || startedMs === null}
            onClick=${() => act('run')}
            aria-label=${`Run now: ${shown.description}`}
          >
            Run now
          </button>
          <button
            type="button"
            class="secondary"
            disabled=${busy}
            onClick=${() => act('skip')}
            aria-label=${`Skip: ${shown.description}`}
          >
            Skip
          </button>
        </div>`
      }
    </td>
  </tr>`;
}

/**
 * When an incident runs: its time in the story, and how far off that is.
 * @param {DemoIncident} incident
 * @param {number | null} startedMs
 * @param {number} nowMs
 */
function when(incident, startedMs, nowMs) {
  const planned = `+${formatMs(incident.atSeconds * 1000)}`;
  if (incident.startedAt)
    return html`${planned}<br /><span class="muted small"
        >ran ${formatTime(incident.startedAt)}</span
      >`;
  if (startedMs === null || incident.state !== 'scheduled') return planned;
  const inSeconds = Math.max(0, Math.round((startedMs + incident.atSeconds * 1000 - nowMs) / 1000));
  return html`${planned}<br /><span class="muted small">in ${formatMs(inSeconds * 1000)}</span>`;
}
