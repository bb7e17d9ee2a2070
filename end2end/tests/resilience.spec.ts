import { test, expect, DashboardPage, SessionsPage, signUp, hydrated, watchRequests, steadyURL } from '../fixtures/app';

// A flaky network must never sign anyone out (docs/API.md, "refresh" and "Pages").
// These run on the server whose access tokens live 3 s, so refreshes come every ~2 s.

test('a refresh whose answer is lost is retried at once and the person stays signed in', async ({ page, playwright }) => {
  const email = await signUp(page);
  // Another client, with a cookie jar of its own: what it is answered never reaches
  // the browser's jar.
  const outside = await playwright.request.newContext();
  let lostCookie: string | undefined;
  let retryCookie: string | undefined;
  await page.route('**/api/auth/refresh', async (route) => {
    const headers = await route.request().allHeaders();
    if (lostCookie !== undefined) {
      retryCookie ??= headers['cookie'];
      return route.continue();
    }
    lostCookie = headers['cookie'];
    // The server rotates (the browser's request reaches it, sent from outside the
    // browser), but the answer is lost on the way: the browser's connection drops.
    delete headers['content-length'];
    delete headers['host'];
    const delivered = await outside.post(route.request().url(), {
      headers,
      data: route.request().postDataBuffer() ?? undefined,
    });
    expect(delivered.status()).toBe(200);
    expect(delivered.headers()['set-cookie']).toContain('__Host-refresh_token=');
    await route.abort('connectionreset');
  });
  // The retry presents the token the server has already rotated (the grace case of
  // docs/API.md), and it comes quickly.
  await expect.poll(() => retryCookie, { timeout: 10_000 }).toBeDefined();
  expect(retryCookie).toContain('__Host-refresh_token=');
  expect(retryCookie).toBe(lostCookie);

  await page.waitForTimeout(12_000);
  const dashboard = new DashboardPage(page);
  await dashboard.expectSignedInAs(email);
  await dashboard.sessionsLink().click();
  await expect(new SessionsPage(page).current()).toBeVisible();
  await expect(page).toHaveURL(/\/sessions$/);
  await outside.dispose();
});

for (const [status, retryAfter] of [
  [429, '1'],
  [503, '1'],
] as const) {
  test(`a ${status} on refresh is waited out, with "reconnecting", never a sign-out`, async ({ page }) => {
    const email = await signUp(page);
    const refusing = Date.now() + 6_000;
    await page.route('**/api/auth/refresh', (route) =>
      Date.now() < refusing
        ? route.fulfill({
            status,
            contentType: 'application/json',
            headers: { 'retry-after': retryAfter },
            // As Baton answers them: the wait in the header and in the body.
            body: JSON.stringify({
              code: status === 429 ? 'rate_limited' : 'unavailable',
              message: 'busy',
              retry_after: Number(retryAfter),
            }),
          })
        : route.continue(),
    );
    // The token runs out meanwhile; the app says it is reconnecting, in a live region.
    await expect(page.getByTestId('connection')).toContainText('Reconnecting', { timeout: 8_000 });
    await expect(page).toHaveURL(/\/$/);
    // Once the server answers again, everything works and the notice goes.
    await expect(page.getByTestId('connection')).toHaveText('', { timeout: 40_000 });
    const dashboard = new DashboardPage(page);
    await dashboard.expectSignedInAs(email);
    await dashboard.sessionsLink().click();
    await expect(new SessionsPage(page).current()).toBeVisible();
  });
}

test('a refresh answer that arrives after a sign-out in another tab does not sign that tab back in', async ({
  page,
  context,
}) => {
  await signUp(page);
  const other = await context.newPage();
  await other.goto('/');
  await hydrated(other);
  await expect(new DashboardPage(other).signOut()).toBeVisible();

  // Hold this tab's next refresh answer until the other tab has signed out.
  let release: () => void = () => {};
  const signedOutElsewhere = new Promise<void>((resolve) => (release = resolve));
  let held = false;
  let answered = false;
  await page.route('**/api/auth/refresh', async (route) => {
    if (held) return route.continue();
    held = true;
    // The server rotates now (before the sign-out); only the answer is late.
    const answer = await route.fetch();
    expect(answer.status()).toBe(200);
    answered = true;
    await signedOutElsewhere;
    await route.fulfill({ response: answer });
  });
  await expect.poll(() => answered, { timeout: 10_000 }).toBe(true);
  await new DashboardPage(other).signOut().click();
  await expect(other).toHaveURL(/\/login$/);
  await expect(page).toHaveURL(/\/login/, { timeout: 5_000 });
  const visited: string[] = [];
  page.on('framenavigated', (frame) => visited.push(new URL(frame.url()).pathname));
  const calls = watchRequests(page, '/api/me');
  release();
  // The late answer changes nothing: this tab stays signed out, not even for a moment
  // (signed back in, it would open the dashboard, which asks for /api/me).
  await page.waitForTimeout(2_000);
  await expect(page).toHaveURL(/\/login/);
  await expect(page.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
  expect(visited).toEqual([]);
  expect(calls).toHaveLength(0);
});

test('tabs take turns to refresh, so no late answer can put a spent cookie back', async ({ page, context }) => {
  const email = await signUp(page);
  const other = await context.newPage();
  await other.goto('/');
  await new DashboardPage(other).expectSignedInAs(email);

  const spans: { start: number; end: number }[] = [];
  for (const p of [page, other]) {
    // A slow network: each refresh takes most of a second, so two tabs renewing
    // every ~2 s would overlap unless they take turns.
    await p.route('**/api/auth/refresh', async (route) => {
      await new Promise((resolve) => setTimeout(resolve, 800));
      await route.continue();
    });
    p.on('request', (request) => {
      if (!request.url().endsWith('/api/auth/refresh')) return;
      const span = { start: Date.now(), end: Infinity };
      spans.push(span);
      request
        .response()
        .then(() => (span.end = Date.now()))
        .catch(() => (span.end = Date.now()));
    });
  }
  // Access tokens live 3 s: both tabs renew several times.
  await page.waitForTimeout(10_000);
  const finished = spans.filter((s) => s.end !== Infinity).sort((a, b) => a.start - b.start);
  expect(finished.length).toBeGreaterThanOrEqual(4);
  for (let i = 1; i < finished.length; i++) {
    expect(finished[i].start, 'a refresh started while another was under way').toBeGreaterThanOrEqual(
      finished[i - 1].end,
    );
  }
  for (const p of [page, other]) {
    await new DashboardPage(p).expectSignedInAs(email);
  }
});

test.describe('where to go after signing in', () => {
  test.use({ baseURL: steadyURL });

  test('next is followed only when it stays on this site', async ({ page, baseURL }) => {
    await signUp(page);
    const origin = new URL(baseURL!).origin;
    for (const next of [
      '/\t/evil.example',
      '/\n/evil.example',
      ' //evil.example',
      '/ /evil.example',
      '/\\evil.example',
      '\\\\evil.example',
      '///evil.example',
      '//evil.example',
      'https://evil.example/',
      'javascript:alert(document.domain)',
      '/login',
    ]) {
      // Already signed in: the sign-in page goes straight on to `next`.
      await page.goto(`/login?next=${encodeURIComponent(next)}`);
      await expect(page, JSON.stringify(next)).toHaveURL(`${origin}/`);
    }
    await page.goto(`/login?next=${encodeURIComponent('/sessions')}`);
    await expect(page).toHaveURL(`${origin}/sessions`);
  });
});

test.describe('with steady tokens', () => {
  test.use({ baseURL: steadyURL });

  test('a refresh that keeps failing on the way leaves the person signed in', async ({ page }) => {
    const email = await signUp(page);
    await page.route('**/api/auth/refresh', (route) => route.abort('internetdisconnected'));
    const refreshes = watchRequests(page, '/api/auth/refresh');
    // A reload must restore the session; the network is down, so it keeps trying.
    await page.reload();
    await expect(page.getByRole('status').filter({ hasText: 'Reconnecting' })).toBeVisible({ timeout: 8_000 });
    await expect(page).toHaveURL(/\/$/);
    await page.unroute('**/api/auth/refresh');
    // The next try comes within the backoff (at most 30 s).
    await expect(new DashboardPage(page).email()).toHaveText(email, { timeout: 35_000 });
    expect(refreshes.length).toBeGreaterThanOrEqual(2);
  });
});
