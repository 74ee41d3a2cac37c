import type { Page } from 'playwright-core';

/**
 * Accessibility basics checked in the page as rendered: the language, one h1 and no
 * skipped heading level, unique ids, a name for every control, link, button and image,
 * and text contrast against its composited background (WCAG AA: 4.5:1, 3:1 for large
 * text). A stand-in for a full checker such as axe-core, which is not a dependency.
 * The source runs in the browser, so it is a string here rather than type-checked code.
 */
const CHECK = String.raw`(() => {
  const problems = [];
  const describe = (el) => {
    const id = el.id ? '#' + el.id : '';
    const cls = typeof el.className === 'string' && el.className ? '.' + el.className.trim().split(/\s+/).join('.') : '';
    const text = (el.textContent || '').trim().slice(0, 40);
    return el.tagName.toLowerCase() + id + cls + (text ? ' "' + text + '"' : '');
  };
  const visible = (el) => {
    const style = getComputedStyle(el);
    if (style.visibility === 'hidden' || style.display === 'none') return false;
    const rect = el.getBoundingClientRect();
    return rect.width > 0 && rect.height > 0;
  };
  const nameOf = (el) => {
    const aria = el.getAttribute('aria-label');
    if (aria && aria.trim()) return aria.trim();
    const labelledBy = el.getAttribute('aria-labelledby');
    if (labelledBy) {
      const text = labelledBy.split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' ').trim();
      if (text) return text;
    }
    if (el.labels && el.labels.length > 0) {
      const text = Array.from(el.labels).map((label) => label.textContent || '').join(' ').trim();
      if (text) return text;
    }
    if (['BUTTON', 'A', 'SUMMARY'].includes(el.tagName)) {
      const text = (el.textContent || '').trim();
      if (text) return text;
    }
    const title = el.getAttribute('title');
    return title && title.trim() ? title.trim() : '';
  };

  if (!document.documentElement.lang) problems.push('html has no lang');
  if (!document.title) problems.push('the page has no title');
  if (!document.querySelector('main')) problems.push('no main landmark');
  const h1s = document.querySelectorAll('main h1');
  if (h1s.length !== 1) problems.push('main has ' + h1s.length + ' h1 elements');
  let level = 0;
  for (const heading of document.querySelectorAll('main h1, main h2, main h3, main h4, main h5, main h6')) {
    const next = Number(heading.tagName.slice(1));
    if (level > 0 && next > level + 1) problems.push('heading level skipped: ' + describe(heading));
    level = next;
  }
  const ids = new Map();
  for (const el of document.querySelectorAll('[id]')) ids.set(el.id, (ids.get(el.id) || 0) + 1);
  for (const [id, count] of ids) if (count > 1) problems.push('duplicate id ' + id);

  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea, button, a[href], [role=img], svg[role]')) {
    if (!visible(el)) continue;
    if (!nameOf(el)) problems.push('no accessible name: ' + describe(el));
  }

  const parse = (color) => {
    const match = /rgba?\(([^)]+)\)/.exec(color);
    if (!match) return null;
    const parts = match[1].split(/[ ,\/]+/).filter(Boolean).map(Number);
    return { r: parts[0], g: parts[1], b: parts[2], a: parts.length > 3 ? parts[3] : 1 };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const background = (el) => {
    const layers = [];
    for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
      const color = parse(getComputedStyle(node).backgroundColor);
      if (color && color.a > 0) layers.push(color);
      if (color && color.a >= 1) break;
    }
    let result = { r: 255, g: 255, b: 255, a: 1 };
    for (let i = layers.length - 1; i >= 0; i--) result = over(layers[i], result);
    return result;
  };
  const luminance = ({ r, g, b }) => {
    const channel = (v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : Math.pow((s + 0.055) / 1.055, 2.4);
    };
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b);
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const checked = new Set();
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const el = node.parentElement;
    if (!el || checked.has(el) || !node.textContent.trim()) continue;
    checked.add(el);
    if (!visible(el) || el.closest('.visually-hidden, [aria-hidden=true], .skip-link, option, noscript')) continue;
    const style = getComputedStyle(el);
    const fg = parse(style.color);
    if (!fg) continue;
    const bg = background(el);
    const text = over(fg, bg);
    const [light, dark] = [luminance(text), luminance(bg)].sort((x, y) => y - x);
    const ratio = (light + 0.05) / (dark + 0.05);
    const size = parseFloat(style.fontSize);
    const bold = Number(style.fontWeight) >= 700;
    const large = size >= 24 || (bold && size >= 18.66);
    const opacity = el.closest('button:disabled') ? 0 : 1;
    if (opacity && ratio < (large ? 3 : 4.5)) {
      problems.push('contrast ' + ratio.toFixed(2) + ':1 for ' + describe(el));
    }
  }
  return problems;
})()`;

/** What the page at hand gets wrong of the accessibility basics (empty when nothing). */
export async function accessibilityProblems(page: Page): Promise<string[]> {
  return page.evaluate<string[]>(CHECK);
}
