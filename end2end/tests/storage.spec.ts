import { test, expect, signUp } from '../fixtures/app';

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
  const refresh = cookies.find((c) => c.name === '__Secure-refresh_token');
  expect(refresh, JSON.stringify(cookies)).toBeDefined();
  expect(refresh!.httpOnly).toBe(true);
  expect(refresh!.secure).toBe(true);
  expect(refresh!.sameSite).toBe('Strict');
  expect(refresh!.path).toBe('/api/auth');
  expect(refresh!.value.startsWith('eyJ')).toBe(true);
  // It never travels with page loads or protected API calls.
  const pageRequest = await Promise.all([
    page.waitForRequest((r) => r.url().endsWith('/sessions')),
    page.goto('/sessions'),
  ]);
  expect(await pageRequest[0].headerValue('cookie')).toBeNull();
});
