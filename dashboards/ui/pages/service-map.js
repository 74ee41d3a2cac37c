import { useEffect, useMemo } from 'preact/hooks';
import { EmptyNote, ErrorNotice, Loading } from '../components/states.js';
import { formatMs, formatNumber, formatPercent } from '../lib/format.js';
import { html } from '../lib/html.js';
import { link, navigate } from '../lib/router.js';
import { apiRange } from '../lib/time-range.js';
import { useApi } from '../lib/use-api.js';

/**
 * @typedef {import('../api-types').ServiceMap} ServiceMap
 * @typedef {ServiceMap['nodes'][number]} MapNode
 * @typedef {ServiceMap['edges'][number]} MapEdge
 * @typedef {{ node: MapNode, x: number, y: number }} Placed
 */

const COLUMN_WIDTH = 220;
const ROW_HEIGHT = 64;
const NODE_WIDTH = 168;
const NODE_HEIGHT = 40;
const MARGIN = 16;

/** An error ratio worth a colour: 1% and 5% (the usual SLO-ish thresholds). */
const WARN_RATIO = 0.01;
const BAD_RATIO = 0.05;

/**
 * Columns by call depth: a node sits one column right of its deepest caller (cycles are
 * cut where they close), callers first; rows in each column by traffic.
 * @param {MapNode[]} nodes
 * @param {MapEdge[]} edges
 * @returns {{ placed: Map<string, Placed>, width: number, height: number }}
 */
export function layoutMap(nodes, edges) {
  /** @type {Map<string, string[]>} */
  const calls = new Map();
  /** @type {Map<string, number>} */
  const incoming = new Map(nodes.map((n) => [n.service, 0]));
  for (const edge of edges) {
    if (edge.from === edge.to) continue;
    calls.set(edge.from, [...(calls.get(edge.from) ?? []), edge.to]);
    incoming.set(edge.to, (incoming.get(edge.to) ?? 0) + 1);
  }
  /** @type {Map<string, number>} */
  const depth = new Map();
  const roots = nodes.filter((n) => (incoming.get(n.service) ?? 0) === 0).map((n) => n.service);
  // Every node gets a depth even inside a cycle with no root.
  const starts = roots.length > 0 ? roots : nodes.slice(0, 1).map((n) => n.service);
  for (const start of [...starts, ...nodes.map((n) => n.service)]) {
    if (depth.has(start)) continue;
    depth.set(start, 0);
    const stack = [start];
    /** @type {Set<string>} */
    const onPath = new Set();
    while (stack.length > 0) {
      const current = /** @type {string} */ (stack.pop());
      onPath.add(current);
      for (const callee of calls.get(current) ?? []) {
        const next = (depth.get(current) ?? 0) + 1;
        if (onPath.has(callee) || next > nodes.length) continue;
        if ((depth.get(callee) ?? -1) < next) {
          depth.set(callee, next);
          stack.push(callee);
        }
      }
    }
  }
  /** @type {MapNode[][]} */
  const columns = [];
  for (const node of nodes) {
    const column = depth.get(node.service) ?? 0;
    (columns[column] ??= []).push(node);
  }
  /** @type {Map<string, Placed>} */
  const placed = new Map();
  let rows = 0;
  columns.forEach((column, x) => {
    column.sort((a, b) => b.requests - a.requests || a.service.localeCompare(b.service));
    column.forEach((node, y) => placed.set(node.service, { node, x, y }));
    rows = Math.max(rows, column.length);
  });
  return {
    placed,
    width: MARGIN * 2 + Math.max(1, columns.length) * COLUMN_WIDTH,
    height: MARGIN * 2 + Math.max(1, rows) * ROW_HEIGHT,
  };
}

/** @param {MapNode} node */
function health(node) {
  if (node.openAlerts > 0) return 'alerting';
  if (node.errorRatio >= BAD_RATIO) return 'bad';
  if (node.errorRatio >= WARN_RATIO) return 'warn';
  return 'ok';
}

/**
 * Services, what they call and how those calls fare: nodes by health and open alerts,
 * edges as thick as their traffic; a service opens its page.
 * @param {{ range: import('../lib/time-range.js').TimeRange }} props
 */
export function ServiceMapPage({ range }) {
  const map = useApi('/v1/service-map', apiRange(range));
  useEffect(() => {
    document.title = 'Service map · opsless';
  }, []);
  const data = /** @type {ServiceMap | undefined} */ (map.data);
  const layout = useMemo(() => (data ? layoutMap(data.nodes, data.edges) : undefined), [data]);

  if (map.error && !data)
    return html`<section class="page">
      <h1>Service map</h1>
      <${ErrorNotice} error=${map.error} retry=${map.reload} />
    </section>`;
  if (!data || !layout)
    return html`<section class="page">
      <h1>Service map</h1>
      <${Loading} />
    </section>`;
  if (data.nodes.length === 0)
    return html`<section class="page">
      <h1>Service map</h1>
      <${EmptyNote}
        >No calls between services in ${range.label.toLowerCase()}. The map is drawn from traces
        whose spans cross services, a minute or two after they arrive.</${EmptyNote}
      >
    </section>`;

  const heaviest = Math.max(1, ...data.edges.map((e) => e.requests));
  const centre = (/** @type {Placed} */ p) => ({
    x: MARGIN + p.x * COLUMN_WIDTH + NODE_WIDTH / 2,
    y: MARGIN + p.y * ROW_HEIGHT + NODE_HEIGHT / 2,
  });
  return html`<section class="page">
    <div class="page-head">
      <h1>Service map</h1>
      <p class="muted">
        ${`${data.nodes.length} nodes, ${data.edges.length} calls in ${range.label.toLowerCase()}`}${data.truncated ? ' · the busiest only' : ''}
      </p>
    </div>
    <div class="map-scroll">
      <svg
        class="service-map"
        role="group"
        aria-label="Service map"
        width=${layout.width}
        height=${layout.height}
        viewBox=${`0 0 ${layout.width} ${layout.height}`}
      >
        ${data.edges.map((edge) => {
          const from = layout.placed.get(edge.from);
          const to = layout.placed.get(edge.to);
          if (!from || !to) return null;
          const a = centre(from);
          const b = centre(to);
          const width = 1 + 5 * Math.sqrt(edge.requests / heaviest);
          return html`<line
            class=${`map-edge ${edge.errorRatio >= BAD_RATIO ? 'bad' : ''}`}
            data-edge=${`${edge.from}→${edge.to}`}
            x1=${a.x + NODE_WIDTH / 2}
            y1=${a.y}
            x2=${b.x - NODE_WIDTH / 2}
            y2=${b.y}
            stroke-width=${width}
          >
            <title>
              ${`${edge.from} → ${edge.to}: ${formatNumber(edge.requests)} calls, ${formatPercent(edge.errorRatio)} errors, p95 ${formatMs(edge.p95Ms)}`}
            </title>
          </line>`;
        })}
        ${[...layout.placed.values()].map((p) => {
          const { x, y } = centre(p);
          const node = p.node;
          const label = `${node.service} (${node.kind}): ${formatNumber(node.requests)} requests, ${formatPercent(node.errorRatio)} errors, p95 ${formatMs(node.p95Ms)}${node.openAlerts > 0 ? `, ${node.openAlerts} open alert${node.openAlerts === 1 ? '' : 's'}` : ''}`;
          const box = html`<rect
              class=${`map-node ${health(node)} ${node.kind}`}
              x=${x - NODE_WIDTH / 2}
              y=${y - NODE_HEIGHT / 2}
              width=${NODE_WIDTH}
              height=${NODE_HEIGHT}
              rx=${node.kind === 'service' ? 6 : 18}
            />
            <text x=${x} y=${y - 3} text-anchor="middle" class="map-name">
              ${node.service.length > 24 ? `${node.service.slice(0, 23)}…` : node.service}
            </text>
            <text x=${x} y=${y + 13} text-anchor="middle" class="map-figures">
              ${`${formatPercent(node.errorRatio)} · ${formatMs(node.p95Ms)}${node.openAlerts > 0 ? ` · ${node.openAlerts}⚠` : ''}`}
            </text>
            <title>${label}</title>`;
          return node.kind === 'service'
            ? html`<a
                href=${link(`/services/${encodeURIComponent(node.service)}`)}
                aria-label=${label}
                data-node=${node.service}
                onClick=${(/** @type {MouseEvent} */ e) => {
                  if (e.metaKey || e.ctrlKey || e.shiftKey || e.button !== 0) return;
                  e.preventDefault();
                  navigate(`/services/${encodeURIComponent(node.service)}`);
                }}
                >${box}</a
              >`
            : html`<g role="img" aria-label=${label} data-node=${node.service}>${box}</g>`;
        })}
      </svg>
    </div>
    <p class="muted map-legend">
      Green: healthy · amber: ≥1% errors · red: ≥5% errors or an open alert. Rounded ends:
      databases, queues and external services named by their callers. Line width: calls.
    </p>
  </section>`;
}
