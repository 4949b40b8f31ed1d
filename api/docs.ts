import fs from 'node:fs';
import path from 'node:path';
import { Hono } from 'hono';
import { openApiDocument } from './openapi';

/** Swagger UI's files, served from the npm package (no CDN: the product runs offline). */
const assetsDir = path.dirname(require.resolve('swagger-ui-dist/package.json'));
const ASSETS: Record<string, string> = {
  'swagger-ui.css': 'text/css; charset=utf-8',
  'swagger-ui-bundle.js': 'text/javascript; charset=utf-8',
  'swagger-ui-standalone-preset.js': 'text/javascript; charset=utf-8',
};

const page = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Atende API</title>
<link rel="stylesheet" href="/docs/assets/swagger-ui.css">
</head>
<body>
<div id="swagger-ui"></div>
<script src="/docs/assets/swagger-ui-bundle.js"></script>
<script src="/docs/assets/swagger-ui-standalone-preset.js"></script>
<script src="/docs/assets/init.js"></script>
</body>
</html>`;

const init = `window.ui = SwaggerUIBundle({ url: '/openapi.json', dom_id: '#swagger-ui', deepLinking: true, presets: [SwaggerUIBundle.presets.apis, SwaggerUIStandalonePreset], layout: 'StandaloneLayout' });`;

/** `/openapi.json` (OpenAPI 3.1, built from the routes' zod schemas) and `/docs` (Swagger UI over it). */
export function docsRoutes() {
  const cache = new Map<string, string>();
  return new Hono()
    .get('/openapi.json', (c) => c.json(openApiDocument(), 200))
    .get('/docs', (c) => c.html(page, 200))
    .get('/docs/assets/:file', (c) => {
      const file = c.req.param('file');
      if (file === 'init.js') return c.body(init, 200, { 'content-type': 'text/javascript; charset=utf-8' });
      const type = ASSETS[file];
      if (!type) return c.notFound();
      let body = cache.get(file);
      if (body === undefined) cache.set(file, (body = fs.readFileSync(path.join(assetsDir, file), 'utf8')));
      return c.body(body, 200, { 'content-type': type, 'cache-control': 'public, max-age=86400' });
    });
}
