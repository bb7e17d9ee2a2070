import { test, expect, ConsoleMessage } from '@playwright/test';

/**
 * Console errors that are not the app's: Chromium logs every 4xx answer as
 * "Failed to load resource", and a signed-out visitor's start-up refresh is
 * answered 401 by design (the app cannot see whether the HttpOnly cookie exists).
 */
export function isAppError(msg: ConsoleMessage): boolean {
  if (msg.type() !== 'error') return false;
  const expected401 =
    msg.text().startsWith('Failed to load resource') && msg.location().url.endsWith('/api/auth/refresh');
  return !expected401;
}

test('a page renders on the server, hydrates, and logs no errors', async ({ page }) => {
  const problems: string[] = [];
  page.on('console', (msg) => {
    if (isAppError(msg)) problems.push(msg.text());
  });
  page.on('pageerror', (err) => problems.push(err.message));

  const response = await page.goto('/login');
  expect(response?.status()).toBe(200);
  // The markup arrives rendered, before any script runs …
  const html = await response!.text();
  expect(html).toContain('/pkg/baton.js');
  expect(html).toContain('Sign in');
  // … and the WASM bundle takes it over.
  await expect(page.locator('body[data-hydrated="true"]')).toBeAttached();
  await expect(page).toHaveTitle(/Baton/);
  await expect(page.getByRole('button', { name: 'Sign in' })).toBeVisible();
  await page.screenshot({ path: 'screenshots/smoke-login.png', fullPage: true });
  expect(problems).toEqual([]);
});

test('the bundle and its assets are served', async ({ request }) => {
  for (const path of ['/pkg/baton.js', '/pkg/baton.wasm', '/pkg/baton.css', '/favicon.ico']) {
    const response = await request.get(path);
    expect(response.status(), path).toBe(200);
  }
});
