import { createHash } from 'node:crypto';

export interface IndexHtmlOptions {
  /** Bare specifier → URL: the import map. */
  imports: Record<string, string>;
  stylesheets: string[];
  /** Modules to preload, so the browser fetches them at once rather than import by import. */
  preload: string[];
  entry: string;
  icon: string;
}

/**
 * Applies the stored theme before the first paint, so a dark-theme user never sees a
 * light flash; the rest of the theme logic lives in the modules.
 */
const THEME_SCRIPT =
  "try{var t=localStorage.getItem('opsless.theme');" +
  "if(t==='light'||t==='dark')document.documentElement.dataset.theme=t}catch(e){}";

/** The page every UI route answers with, and the CSP that allows exactly its inline scripts. */
export function renderIndexHtml(options: IndexHtmlOptions): {
  html: string;
  contentSecurityPolicy: string;
} {
  const importMap = JSON.stringify({ imports: options.imports });
  const scriptHashes = [importMap, THEME_SCRIPT].map(
    (script) => `'sha256-${createHash('sha256').update(script).digest('base64')}'`,
  );
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<title>opsless</title>
<link rel="icon" href="${options.icon}" type="image/svg+xml">
${options.stylesheets.map((href) => `<link rel="stylesheet" href="${href}">`).join('\n')}
<script>${THEME_SCRIPT}</script>
<script type="importmap">${importMap}</script>
${options.preload.map((href) => `<link rel="modulepreload" href="${href}">`).join('\n')}
<script type="module" src="${options.entry}"></script>
</head>
<body>
<div id="app"><p class="boot">Loading opsless…</p></div>
<noscript>The opsless UI needs JavaScript. The API is at <a href="/openapi.json">/openapi.json</a>.</noscript>
</body>
</html>
`;
  const contentSecurityPolicy = [
    "default-src 'self'",
    `script-src 'self' ${scriptHashes.join(' ')}`,
    // Preact and uPlot set element styles (positions, sizes) at run time.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "frame-ancestors 'none'",
    "form-action 'self'",
  ].join('; ');
  return { html, contentSecurityPolicy };
}
