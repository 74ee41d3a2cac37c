import type { Context, Hono } from 'hono';
import { createDashboardAssets, UI_ROUTES, type Asset } from '../dashboards/index.ts';

/**
 * The web UI: its page on every UI route and its static files under `/ui/`. Served
 * without the API key (the files hold no data; every call they make to `/v1/*` does
 * carry it).
 */
export function registerDashboardRoutes(app: Hono): void {
  const assets = createDashboardAssets();
  for (const { path } of UI_ROUTES) {
    const page = assets.page(path);
    app.get(path, (c) => respond(c, page));
  }
  app.get('/ui/*', (c) => {
    const asset = assets.lookup(c.req.path);
    if (!asset) {
      return c.json({ error: 'not_found', message: `no UI file ${c.req.path}` }, 404, {
        'cache-control': 'no-store',
      });
    }
    return respond(c, asset);
  });
}

function respond(c: Context, asset: Asset): Response {
  const headers: Record<string, string> = {
    'content-type': asset.contentType,
    'cache-control': asset.cacheControl,
    etag: asset.etag,
    vary: 'accept-encoding',
    ...asset.headers,
  };
  if (
    c.req
      .header('if-none-match')
      ?.split(/\s*,\s*/)
      .includes(asset.etag)
  ) {
    return c.body(null, 304, headers);
  }
  const gzip =
    asset.gzipped !== undefined && /\bgzip\b/.test(c.req.header('accept-encoding') ?? '');
  const body = gzip ? asset.gzipped! : asset.body;
  if (gzip) headers['content-encoding'] = 'gzip';
  headers['content-length'] = String(body.length);
  return c.body(new Uint8Array(body), 200, headers);
}
