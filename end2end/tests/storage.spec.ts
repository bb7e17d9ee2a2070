import { test, expect, signUp, hydrated, PROVOKES_CSP_VIOLATIONS } from '../fixtures/app';

test('no token is readable by scripts; the refresh cookie is locked down', async ({ page, context }) => {
  await signUp(page);
  const exposed = await page.evaluate(() => ({
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    cookie: document.cookie,
  }));
  // A JWT starts with the base64 of '{"': eyJ.
  for (const [where, text] of Object.entries(exposed)) {
    expect(text, where).not.toContain('eyJ');
  }
  expect(exposed.cookie).toBe('');

  const cookies = await context.cookies();
  // `__Host-`: Secure, no Domain, Path=/, so no sibling subdomain can plant one.
  const refresh = cookies.find((c) => c.name === '__Host-refresh_token');
  expect(refresh, JSON.stringify(cookies)).toBeDefined();
  expect(refresh!.httpOnly).toBe(true);
  expect(refresh!.secure).toBe(true);
  expect(refresh!.sameSite).toBe('Strict');
  expect(refresh!.path).toBe('/');
  expect(refresh!.domain).toBe(new URL(page.url()).hostname);
  expect(refresh!.value.startsWith('eyJ')).toBe(true);
  // It travels with page loads (Path=/), but nothing except /api/auth reads it: a page
  // answer never sets or echoes it.
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/sessions')),
    page.goto('/sessions'),
  ]);
  expect(await response.headerValue('set-cookie')).toBeNull();
  expect(await response.text()).not.toContain(refresh!.value);
});

test('injected scripts do not run (Content Security Policy)', async ({ page }) => {
  test.info().annotations.push({ type: PROVOKES_CSP_VIOLATIONS });
  const violations: string[] = [];
  page.on('console', (msg) => {
    if (msg.text().includes('Content Security Policy')) violations.push(msg.text());
  });
  // A stored XSS: a script in the served markup, without this response's nonce.
  await page.route('**/login', async (route) => {
    const response = await route.fetch();
    // (In <head>: the body must match what hydration expects.)
    const html = (await response.text()).replace('</head>', '<script>window.__stolen = "markup";</script></head>');
    await route.fulfill({ response, body: html });
  });
  await page.goto('/login');
  await hydrated(page);
  expect(await page.evaluate(() => (window as any).__stolen)).toBeUndefined();
  // A DOM XSS: an inline event handler.
  await page.evaluate(() => document.body.insertAdjacentHTML('beforeend', '<img src="/nothing" onerror="window.__stolen = \'handler\'">'));
  await page.waitForTimeout(300);
  expect(await page.evaluate(() => (window as any).__stolen)).toBeUndefined();
  expect(violations.length).toBeGreaterThanOrEqual(2);
  // The app itself still works under the policy.
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeEnabled();
});
