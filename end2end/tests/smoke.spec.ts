import { test, expect, hydrated } from '../fixtures/app';

test('a page arrives rendered, then hydrates', async ({ page }) => {
  const response = await page.goto('/login');
  expect(response?.status()).toBe(200);
  // The markup is there before any script runs (server-side rendering) …
  const html = await response!.text();
  expect(html).toContain('/pkg/baton.js');
  expect(html).toContain('Sign in');
  // … and the WASM bundle takes it over.
  await hydrated(page);
  await expect(page).toHaveTitle(/Baton/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeEnabled();
  await page.screenshot({ path: 'screenshots/smoke-login.png', fullPage: true });
});

test('the bundle and its assets are served', async ({ request }) => {
  for (const path of ['/pkg/baton.js', '/pkg/baton.wasm', '/pkg/baton.css', '/favicon.ico']) {
    const response = await request.get(path);
    expect(response.status(), path).toBe(200);
  }
});
