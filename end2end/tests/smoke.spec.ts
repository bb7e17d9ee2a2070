import { test, expect, hydrated } from '../fixtures/app';

test('a page arrives rendered, then hydrates', async ({ page }) => {
  const response = await page.goto('/login');
  expect(response?.status()).toBe(200);
  // The markup is there before any script runs (server-side rendering) …
  const html = await response!.text();
  expect(html).toMatch(/\/pkg\/baton\.[\w-]+\.js/);
  expect(html).toContain('Sign in');
  // … and the WASM bundle takes it over.
  await hydrated(page);
  await expect(page).toHaveTitle(/Baton/);
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeEnabled();
  await page.screenshot({ path: 'screenshots/smoke-login.png', fullPage: true });
});

test('the bundle is served precompressed, with names that change with the content', async ({ request }) => {
  const html = await (await request.get('/login')).text();
  // The page names its script, bundle and stylesheet with a content hash …
  const assets = [...new Set(html.match(/\/pkg\/baton\.[\w-]+\.(js|wasm|css)/g))];
  expect(assets.map((path) => path.split('.').pop()).sort()).toEqual(['css', 'js', 'wasm']);
  for (const path of assets) {
    // … so each is cached for good, and sent as brotli made at build time.
    const response = await request.get(path, { headers: { 'Accept-Encoding': 'br, gzip' } });
    expect(response.status(), path).toBe(200);
    expect(response.headers()['content-encoding'], path).toBe('br');
    expect(response.headers()['cache-control'], path).toContain('immutable');
    const gzip = await request.get(path, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(gzip.headers()['content-encoding'], path).toBe('gzip');
  }
  expect((await request.get('/favicon.ico')).status()).toBe(200);
});
