import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { renderIndexHtml } from './index-html.ts';
import { UI_ROUTES } from './routes.ts';

/** One file the UI server answers with, prepared once at start-up. */
export interface Asset {
  body: Buffer;
  /** The body gzipped, when that is smaller (answered to clients that accept gzip). */
  gzipped: Buffer | undefined;
  contentType: string;
  cacheControl: string;
  etag: string;
  /** Extra headers (the page's Content-Security-Policy). */
  headers: Record<string, string>;
}

export interface DashboardAssets {
  /** The page a UI route (a path of UI_ROUTES) answers with: the same page, its own preloads. */
  page(route: string): Asset;
  /** The asset at a URL path under `/ui/`, or undefined. */
  lookup(path: string): Asset | undefined;
}

/** A module or stylesheet from a dependency, served as it is published. */
interface VendorFile {
  packageName: string;
  /** Path inside the package. */
  file: string;
  /** The bare specifier the import map resolves to it (none for a stylesheet). */
  specifier?: string;
}

/** The browser builds the UI imports; the import map points bare specifiers at them. */
const VENDOR_FILES: readonly VendorFile[] = [
  { packageName: 'preact', file: 'dist/preact.mjs', specifier: 'preact' },
  { packageName: 'preact', file: 'hooks/dist/hooks.mjs', specifier: 'preact/hooks' },
  { packageName: 'htm', file: 'dist/htm.module.js', specifier: 'htm' },
  { packageName: 'uplot', file: 'dist/uPlot.esm.js', specifier: 'uplot' },
  { packageName: 'uplot', file: 'dist/uPlot.min.css' },
];

/** The UI's stylesheets, in cascade order (the phone layout last, to override). */
const STYLESHEETS = [
  'styles/theme.css',
  'styles/base.css',
  'styles/controls.css',
  'styles/tables.css',
  'styles/charts.css',
  'styles/waterfall.css',
  'styles/hooks.css',
  'styles/explorers.css',
  'styles/service-map.css',
  'styles/phone.css',
];

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.html': 'text/html; charset=utf-8',
};

/** Versioned URLs never change content, so browsers may keep them for a year. */
const IMMUTABLE = 'public, max-age=31536000, immutable';

const UI_DIR = fileURLToPath(new URL('./ui/', import.meta.url));

/**
 * Reads the UI's modules and the vendored dependencies once, and serves them under
 * URLs that carry a content hash (`/ui/<hash>/…`) or a package version
 * (`/ui/vendor/<name>@<version>/…`), so that every asset is cacheable forever and
 * only the page itself is revalidated. No build step: the files are served as written.
 */
export function createDashboardAssets(): DashboardAssets {
  const assets = new Map<string, Asset>();

  const uiFiles = listFiles(UI_DIR).filter((file) => CONTENT_TYPES[extname(file)] !== undefined);
  const contents = uiFiles.map((file) => readFileSync(join(UI_DIR, file)));
  const buildHash = hashOf(
    Buffer.concat(uiFiles.flatMap((file, i) => [Buffer.from(file), contents[i]!])),
  ).slice(0, 12);
  const uiBase = `/ui/${buildHash}/`;
  const unlisted = uiFiles.filter((file) => file.endsWith('.css') && !STYLESHEETS.includes(file));
  const missing = STYLESHEETS.filter((file) => !uiFiles.includes(file));
  if (unlisted.length > 0 || missing.length > 0) {
    throw new Error(
      `dashboards/assets.ts STYLESHEETS is out of date: add ${unlisted.join(', ') || '-'}; remove ${missing.join(', ') || '-'}`,
    );
  }
  uiFiles.forEach((file, i) => {
    assets.set(uiBase + file, asset(contents[i]!, CONTENT_TYPES[extname(file)]!, IMMUTABLE));
  });

  const imports: Record<string, string> = {};
  const stylesheets: string[] = [];
  for (const vendor of VENDOR_FILES) {
    const { dir, version } = packageDirectory(vendor.packageName);
    const url = `/ui/vendor/${vendor.packageName}@${version}/${vendor.file}`;
    const body = readFileSync(join(dir, vendor.file));
    assets.set(url, asset(body, CONTENT_TYPES[extname(vendor.file)]!, IMMUTABLE));
    if (vendor.specifier) imports[vendor.specifier] = url;
    else stylesheets.push(url);
  }

  // Each route preloads what its first drawing needs: the entry's static imports and its
  // page module's, so the browser fetches them at once, and nothing else (uPlot, say,
  // only where charts are).
  const sources = new Map(uiFiles.map((file, i) => [file, contents[i]!.toString('utf8')]));
  const pages = new Map<string, Asset>();
  for (const route of UI_ROUTES) {
    const needed = staticGraph(['main.js', route.module], sources);
    const { html, contentSecurityPolicy } = renderIndexHtml({
      imports,
      stylesheets: [...stylesheets, ...STYLESHEETS.map((file) => uiBase + file)],
      preload: [
        ...[...needed.bare].flatMap((specifier) => imports[specifier] ?? []),
        ...[...needed.files].map((file) => uiBase + file),
      ],
      entry: `${uiBase}main.js`,
      icon: `${uiBase}favicon.svg`,
    });
    pages.set(
      route.path,
      asset(Buffer.from(html), CONTENT_TYPES['.html']!, 'no-cache', {
        'content-security-policy': contentSecurityPolicy,
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'same-origin',
      }),
    );
  }

  return {
    page: (route) => {
      const page = pages.get(route);
      if (!page) throw new Error(`${route} is not a UI route`);
      return page;
    },
    lookup: (path) => assets.get(path),
  };
}

/** A module's import declarations; dynamic `import()` is not followed. */
const IMPORT = /^import\s[^;]*?from\s+'([^']+)';|^import\s+'([^']+)';/gm;

/**
 * The UI files and bare specifiers reachable from `entries` through static imports.
 */
function staticGraph(
  entries: string[],
  sources: Map<string, string>,
): { files: Set<string>; bare: Set<string> } {
  const files = new Set<string>();
  const bare = new Set<string>();
  const pending = [...entries];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (files.has(file)) continue;
    const source = sources.get(file);
    if (source === undefined) throw new Error(`the UI imports ${file}, which does not exist`);
    files.add(file);
    // Only the declarations at the top: code further down may hold text that looks like one.
    const header = source.slice(0, Math.max(0, source.search(/^(?!import\s|\s|$|\}|\/\/)/m)));
    for (const match of header.matchAll(IMPORT)) {
      const specifier = match[1] ?? match[2]!;
      if (!specifier.startsWith('.')) {
        bare.add(specifier);
        continue;
      }
      pending.push(new URL(specifier, `file:///${file}`).pathname.slice(1));
    }
  }
  return { files, bare };
}

function asset(
  body: Buffer,
  contentType: string,
  cacheControl: string,
  headers: Record<string, string> = { 'x-content-type-options': 'nosniff' },
): Asset {
  const gzipped = body.length > 1024 ? gzipSync(body, { level: 9 }) : undefined;
  return {
    body,
    gzipped: gzipped && gzipped.length < body.length ? gzipped : undefined,
    contentType,
    cacheControl,
    etag: `"${hashOf(body).slice(0, 27)}"`,
    headers,
  };
}

function hashOf(body: Buffer): string {
  return createHash('sha256').update(body).digest('base64url');
}

/** Every file under `dir`, as paths relative to it with `/` separators, sorted. */
function listFiles(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(dir, join(entry.parentPath, entry.name)).split(sep).join('/'))
    .sort();
}

/**
 * Where a dependency is installed, found the way Node resolves it (so a hoisted
 * install works), and its version.
 */
function packageDirectory(name: string): { dir: string; version: string } {
  const require = createRequire(import.meta.url);
  let dir = dirname(require.resolve(name));
  for (;;) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === name && manifest.version) return { dir, version: manifest.version };
    } catch {
      // no package.json here: keep walking up
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the package directory of ${name}`);
    dir = parent;
  }
}
