import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { UI_ROUTES } from '../dashboards/index.ts';
import type { Storage } from '../storage/index.ts';
import { openStorage } from '../storage/live/index.ts';
import { testApi } from '../test/support/api.ts';

describe('the web UI, served by the API', () => {
  let storage: Storage;
  const app = (apiKey?: string) =>
    testApi(storage.client, {
      apiKey,
    });

  beforeAll(async () => {
    storage = await openStorage({ dataDir: ':memory:', retentionDays: 0 });
  });
  afterAll(async () => {
    await storage.close();
  });

  const page = async () => {
    const response = await app().request('/');
    return { response, html: await response.text() };
  };
  const importMap = (html: string) =>
    (
      JSON.parse(/<script type="importmap">(.*?)<\/script>/s.exec(html)![1]!) as {
        imports: Record<string, string>;
      }
    ).imports;

  it('answers every UI route with the page, revalidated on each visit, under a strict CSP', async () => {
    for (const path of [
      '/',
      '/services',
      '/services/checkout',
      '/alerts/a1',
      '/traces/abc',
      '/hooks',
      '/demo',
    ]) {
      const response = await app().request(path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('no-cache');
    }
    const { response, html } = await page();
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'self'");
    // Exactly the inline scripts of the page are allowed: the theme script and the import map.
    const inline = [...html.matchAll(/<script(?: type="importmap")?>(.*?)<\/script>/gs)].map(
      (match) => match[1]!,
    );
    expect(inline).toHaveLength(2);
    for (const script of inline) {
      const hash = createHash('sha256').update(script).digest('base64');
      expect(csp).toContain(`'sha256-${hash}'`);
    }
    expect(csp).not.toContain('unsafe-eval');
  });

  it('maps preact, htm and uPlot to their published browser builds, cached for good', async () => {
    const { html } = await page();
    const imports = importMap(html);
    expect(Object.keys(imports).sort()).toEqual(['htm', 'preact', 'preact/hooks', 'uplot']);
    expect(imports.preact).toMatch(/^\/ui\/vendor\/preact@\d+\.\d+\.\d+\//);
    for (const url of Object.values(imports)) {
      const response = await app().request(url);
      expect(response.status, url).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      expect(response.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
      expect(response.headers.get('etag')).toMatch(/^"[\w-]+"$/);
    }
    const css = /href="(\/ui\/vendor\/uplot@[^"]+\.css)"/.exec(html)![1]!;
    const stylesheet = await app().request(css);
    expect(stylesheet.headers.get('content-type')).toBe('text/css; charset=utf-8');
  });

  it('serves every module the page loads, and every relative or bare import in them resolves', async () => {
    const { html } = await page();
    const imports = importMap(html);
    const entry = /<script type="module" src="([^"]+)">/.exec(html)![1]!;
    const pending = [entry];
    const seen = new Set<string>();
    while (pending.length > 0) {
      const url = pending.pop()!;
      if (seen.has(url)) continue;
      seen.add(url);
      const response = await app().request(url);
      expect(response.status, url).toBe(200);
      if (url.startsWith('/ui/vendor/')) continue;
      const source = await response.text();
      // The module's import declarations: everything before its first other statement.
      const header = source.slice(0, source.search(/^(?!import |\s|$|\}|'|\/\/)/m));
      for (const [, specifier] of header.matchAll(/^import [^;]*?from '([^']+)';/gms)) {
        if (specifier!.startsWith('.'))
          pending.push(new URL(specifier!, `http://x${url}`).pathname);
        else expect(imports[specifier!], `${url} imports ${specifier}`).toBeDefined();
      }
      // Pages are imported when first shown.
      for (const [, specifier] of source.matchAll(/\bimport\('(\.[^']+\.js)'\)/g)) {
        pending.push(new URL(specifier!, `http://x${url}`).pathname);
      }
    }
    expect(seen.size).toBeGreaterThan(15);
  });

  it('preloads the modules each page needs, and only those: uPlot where charts are', async () => {
    const preloads = async (path: string) =>
      [
        ...(await (await app().request(path)).text()).matchAll(
          /rel="modulepreload" href="([^"]+)"/g,
        ),
      ].map((match) => match[1]!);
    const services = await preloads('/services');
    expect(services.some((url) => url.endsWith('/pages/services.js'))).toBe(true);
    expect(services.some((url) => url.includes('/ui/vendor/preact@'))).toBe(true);
    expect(services.some((url) => url.includes('uplot') || url.endsWith('/pages/service.js'))).toBe(
      false,
    );
    const service = await preloads('/services/checkout');
    expect(service.some((url) => url.endsWith('/pages/service.js'))).toBe(true);
    expect(service.some((url) => url.includes('/ui/vendor/uplot@'))).toBe(true);
  });

  it('answers a repeated request with 304 and gzips what it can', async () => {
    const { html } = await page();
    const uplot = importMap(html).uplot!;
    const first = await app().request(uplot, { headers: { 'accept-encoding': 'gzip, br' } });
    expect(first.headers.get('content-encoding')).toBe('gzip');
    const body = Buffer.from(await first.arrayBuffer());
    expect(gunzipSync(body).toString()).toContain('uPlot');
    const again = await app().request(uplot, {
      headers: { 'if-none-match': first.headers.get('etag')! },
    });
    expect(again.status).toBe(304);
    const plain = await app().request(uplot);
    expect(plain.headers.get('content-encoding')).toBeNull();
  });

  it('serves the UI without the API key, while the API still needs it', async () => {
    const locked = app('s3cret');
    const { html } = await page();
    expect((await locked.request('/')).status).toBe(200);
    expect((await locked.request('/alerts/a1')).status).toBe(200);
    expect((await locked.request(importMap(html).preact!)).status).toBe(200);
    expect((await locked.request('/v1/services')).status).toBe(401);
  });

  it('answers an unknown UI file, or one of another build, with a JSON 404', async () => {
    const { html } = await page();
    const entry = /<script type="module" src="([^"]+)">/.exec(html)![1]!;
    const otherBuild = entry.replace(/\/ui\/[^/]+\//, '/ui/000000000000/');
    for (const url of [otherBuild, '/ui/vendor/preact@0.0.0/dist/preact.mjs', '/ui/nothing']) {
      const response = await app().request(url);
      expect(response.status, url).toBe(404);
      expect(((await response.json()) as { error: string }).error).toBe('not_found');
    }
  });

  it('routes in the browser exactly the paths the server answers with the page', () => {
    const router = readFileSync(new URL('../dashboards/ui/lib/router.js', import.meta.url), 'utf8');
    const patterns = [...router.matchAll(/\['(\/[^']*)', '\w+'\]/g)].map((match) => match[1]);
    expect(patterns).toEqual(UI_ROUTES.map((route) => route.path));
  });
});
