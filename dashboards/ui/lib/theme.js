import { useEffect, useState } from 'preact/hooks';

/** @typedef {'system' | 'light' | 'dark'} ThemeChoice */

const THEME_STORAGE = 'opsless.theme';
const THEME_EVENT = 'opsless:theme';

/** @returns {ThemeChoice} */
export function getThemeChoice() {
  try {
    const stored = window.localStorage.getItem(THEME_STORAGE);
    return stored === 'light' || stored === 'dark' ? stored : 'system';
  } catch {
    return 'system';
  }
}

/**
 * Applies and remembers a theme; `system` follows prefers-color-scheme.
 * @param {ThemeChoice} choice
 */
export function setThemeChoice(choice) {
  try {
    if (choice === 'system') window.localStorage.removeItem(THEME_STORAGE);
    else window.localStorage.setItem(THEME_STORAGE, choice);
  } catch {
    // storage disabled: the choice lasts for this page
  }
  if (choice === 'system') delete document.documentElement.dataset.theme;
  else document.documentElement.dataset.theme = choice;
  window.dispatchEvent(new Event(THEME_EVENT));
}

/** A number that changes whenever the colours do (a choice, or the system's scheme). */
export function useThemeVersion() {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((n) => n + 1);
    const media = window.matchMedia('(prefers-color-scheme: dark)');
    media.addEventListener('change', bump);
    window.addEventListener(THEME_EVENT, bump);
    return () => {
      media.removeEventListener('change', bump);
      window.removeEventListener(THEME_EVENT, bump);
    };
  }, []);
  return version;
}

/**
 * The chart colours of the current theme, read from the stylesheet's custom properties
 * so that canvas drawings follow the CSS.
 */
export function chartColors() {
  const style = window.getComputedStyle(document.documentElement);
  /** @param {string} name */
  const read = (name) => style.getPropertyValue(name).trim();
  return {
    text: read('--muted'),
    grid: read('--grid'),
    observed: read('--observed'),
    expected: read('--expected'),
    band: read('--band'),
    bandEdge: read('--band-edge'),
    anomaly: read('--bad'),
    alertSpan: read('--alert-span'),
    forecast: read('--forecast'),
    forecastBand: read('--forecast-band'),
    forecastEdge: read('--forecast-edge'),
  };
}

/**
 * One colour of the current theme, by custom property (`--s0`, `--warn` …), for canvases.
 * @param {string} name
 */
export function themeColor(name) {
  return window.getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}
