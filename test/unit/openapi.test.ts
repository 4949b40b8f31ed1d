import type { Client } from '@temporalio/client';
import type pg from 'pg';
import { createApp } from '../../api/app';
import { openApiDocument, operations } from '../../api/openapi';
import { testAppConfig } from '../support/app-stack';

/** The OpenAPI document and the app's route table describe the same API: a route added without its description (or the reverse) fails here. */
const app = createApp({ client: {} as Client, db: {} as pg.Pool, config: testAppConfig({ jwtSecret: 'unit', taskQueue: 'unit', defaultTenant: 'demo' }) });

describe('the OpenAPI description', () => {
  test('lists exactly the routes the app serves', () => {
    const served = new Set(app.routes.filter((route) => route.method !== 'ALL').map((route) => `${route.method} ${route.path.replace(/:(\w+)/g, '{$1}')}`));
    const described = new Set(operations.map((operation) => `${operation.method.toUpperCase()} ${operation.path}`));
    expect([...served].filter((route) => !described.has(route)).sort()).toEqual([]);
    expect([...described].filter((route) => !served.has(route)).sort()).toEqual([]);
  });

  test('is OpenAPI 3.1 with unique operation ids, a request schema for every body and error answers in each contract\'s envelope', () => {
    const document = openApiDocument() as any;
    expect(document.openapi).toBe('3.1.0');
    const ids = Object.values(document.paths).flatMap((item: any) => Object.values(item).map((operation: any) => operation.operationId));
    expect(new Set(ids).size).toBe(ids.length);
    const start = document.paths['/api/v1/conversations'].post;
    expect(start.requestBody.content['application/json'].schema.properties.message).toEqual({ type: 'string', maxLength: 4000 });
    expect(Object.keys(start.responses['422'].content)).toEqual(['application/problem+json']);
    expect(Object.keys(document.paths['/chat'].post.responses['400'].content)).toEqual(['application/json']);
  });

  test('is served at /openapi.json, with Swagger UI at /docs from the npm package', async () => {
    const served = await app.request('/openapi.json');
    expect(served.status).toBe(200);
    expect(((await served.json()) as any).info.title).toBe('Atende API');
    const docs = await app.request('/docs');
    expect(await docs.text()).toContain('/docs/assets/swagger-ui-bundle.js');
    const bundle = await app.request('/docs/assets/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toMatch(/javascript/);
    expect((await app.request('/docs/assets/package.json')).status).toBe(404);
  });
});
