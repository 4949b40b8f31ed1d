import fs from 'node:fs';
import path from 'node:path';
import { serve, type ServerType } from '@hono/node-server';
import { chromium, type Browser } from 'playwright-core';
import { appStackFor, type AppStack } from './app-stack';
import { freePort } from '../../lib/process';
import { testStack } from './stack';

const CHROMIUM = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((candidate) => fs.existsSync(candidate));

/** `test` when Chromium is installed, else `test.skip` with a warning naming the page. */
export function browserTestFor(page: string): jest.It {
  if (!CHROMIUM) console.warn(`Chromium is not installed (apt-get install chromium); the ${page} browser tests are skipped`);
  return CHROMIUM ? test : test.skip;
}

export interface ServedApp {
  readonly stack: AppStack;
  /** The app's address on 127.0.0.1. */
  readonly base: string;
  /** Headless Chromium, launched on first use and closed in afterAll. */
  browser(): Promise<Browser>;
}

/** Registers beforeAll/afterAll that serve the real app stack over HTTP for a browser. */
export function servedApp(jwtSecret: string, deps: Parameters<typeof appStackFor>[1] = {}): ServedApp {
  let server: ServerType | undefined;
  let browser: Browser | undefined;
  let base = '';

  // closes the browser and the server before the stack stops (hooks run in the order they are
  // registered): a page's open event stream must not outlive the database pool
  afterAll(async () => {
    await browser?.close();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  });
  const suite = appStackFor(jwtSecret, deps);

  beforeAll(async () => {
    const port = await freePort();
    server = serve({ fetch: suite.stack.app.fetch, port, hostname: '127.0.0.1' });
    base = `http://127.0.0.1:${port}`;
  });

  return {
    get stack() {
      return suite.stack;
    },
    get base() {
      return base;
    },
    async browser() {
      browser ??= await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      });
      return browser;
    },
  };
}

/** Where a page test saves its screenshot: ATENDE_SCREENSHOT_DIR to keep them for a look, else the test run's own directory. */
export function screenshotPath(name: string): string {
  return path.join(process.env.ATENDE_SCREENSHOT_DIR ?? testStack().dir, name);
}
