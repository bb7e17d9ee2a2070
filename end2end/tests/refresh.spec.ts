import { test, expect, DashboardPage, SessionsPage, signUp, watchRequests, hydrated, steadyURL } from '../fixtures/app';

// Counting tests: on the server with 15-minute access tokens, so that no scheduled
// renewal lands in the middle of what is counted.
test.describe('with steady tokens', () => {
  test.use({ baseURL: steadyURL });

  test('a reload keeps the session with exactly one refresh and no flash of sign-in', async ({ page, request }) => {
    const email = await signUp(page);
    const refreshes = watchRequests(page, '/api/auth/refresh');
    const visited: string[] = [];
    page.on('framenavigated', (frame) => visited.push(frame.url()));

    const started = Date.now();
    await page.reload();
    await new DashboardPage(page).expectSignedInAs(email);
    const elapsed = Date.now() - started;
    test.info().annotations.push({ type: 'reload to email', description: `${elapsed} ms` });
    console.log(`reload → email on the dashboard: ${elapsed} ms`);

    await page.waitForTimeout(500);
    expect(refreshes).toHaveLength(1);
    expect(visited.filter((url) => url.includes('/login'))).toEqual([]);
    // What the server renders for a protected page is a neutral state, not a form.
    const html = await (await request.get('/')).text();
    expect(html).toContain('Restoring your session');
    expect(html).not.toContain('Sign in');
  });

  test('a 401 is retried once, after one refresh, with the new token', async ({ page }) => {
    await signUp(page);
    const authorizations: string[] = [];
    await page.route('**/api/sessions', async (route) => {
      authorizations.push(route.request().headers()['authorization']);
      if (authorizations.length === 1) {
        await route.fulfill({
          status: 401,
          contentType: 'application/json',
          headers: { 'www-authenticate': 'Bearer error="invalid_token"' },
          body: JSON.stringify({ code: 'invalid_token', message: 'The access token is missing, invalid or expired.' }),
        });
      } else {
        await route.continue();
      }
    });
    const refreshes = watchRequests(page, '/api/auth/refresh');
    await new DashboardPage(page).sessionsLink().click();
    await expect(new SessionsPage(page).current()).toBeVisible();
    expect(refreshes).toHaveLength(1);
    expect(authorizations).toHaveLength(2);
    expect(authorizations[0]).toMatch(/^Bearer ey/);
    expect(authorizations[1]).toMatch(/^Bearer ey/);
    expect(authorizations[1]).not.toBe(authorizations[0]);
  });

  test('two 401s at once share one refresh', async ({ page }) => {
    const email = await signUp(page);
    await new DashboardPage(page).sessionsLink().click();
    await expect(new SessionsPage(page).current()).toBeVisible();

    const rejected = new Set<string>();
    const calls: string[] = [];
    for (const path of ['**/api/me', '**/api/sessions']) {
      await page.route(path, async (route) => {
        const url = route.request().url();
        calls.push(url);
        if (!rejected.has(url)) {
          rejected.add(url);
          await route.fulfill({
            status: 401,
            contentType: 'application/json',
            body: JSON.stringify({ code: 'invalid_token', message: 'expired' }),
          });
        } else {
          await route.continue();
        }
      });
    }
    const refreshes = watchRequests(page, '/api/auth/refresh');
    // The dashboard loads the account and the device list at the same time.
    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    const dashboard = new DashboardPage(page);
    await dashboard.expectSignedInAs(email);
    await expect(dashboard.account()).toContainText('signed in on this device only');
    expect(rejected.size).toBe(2);
    expect(calls).toHaveLength(4);
    expect(refreshes).toHaveLength(1);
  });

  test('a replayed old refresh token ends the session, with the security message', async ({ page, context, playwright }) => {
    await signUp(page);
    const stolen = (await context.cookies()).find((c) => c.name === '__Host-refresh_token')!;
    // The rightful owner keeps using the app: two rotations (two reloads).
    for (let i = 0; i < 2; i++) {
      await page.reload();
      await expect(new DashboardPage(page).email()).toBeVisible();
    }
    // An attacker replays the stolen token from elsewhere.
    const attacker = await playwright.request.newContext({ baseURL: steadyURL });
    const replay = await attacker.post('/api/auth/refresh', {
      headers: { cookie: `__Host-refresh_token=${stolen.value}`, origin: steadyURL },
    });
    expect(replay.status()).toBe(401);
    expect((await replay.json()).code).toBe('refresh_token_reused');
    await attacker.dispose();

    // The owner's session is over; the app says why.
    await page.reload();
    await expect(page).toHaveURL(/\/login/);
    await expect(page.getByRole('alert')).toContainText('ended for security reasons');
  });
});

test('an expiring access token is renewed without the person noticing', async ({ page }) => {
  const email = await signUp(page);
  const dashboard = new DashboardPage(page);
  const refreshes = watchRequests(page, '/api/auth/refresh');
  const visited: string[] = [];
  page.on('framenavigated', (frame) => visited.push(frame.url()));

  // Access tokens live 3 s here: this is well over two lifetimes.
  await page.waitForTimeout(7_500);
  expect(refreshes.length).toBeGreaterThanOrEqual(2);
  await dashboard.expectSignedInAs(email);
  await expect(dashboard.timeline().filter({ hasText: 'renewed before expiry' }).first()).toBeVisible();
  // Said to screen readers too, through a live region.
  await expect(page.getByRole('status').filter({ hasText: 'renewed before expiry' })).toHaveCount(1);
  const secondsLeft = Number(await page.locator('.countdown__value').textContent());
  expect(secondsLeft).toBeGreaterThan(0);
  // Protected calls go on working, and nobody was sent to sign in.
  await dashboard.sessionsLink().click();
  await expect(new SessionsPage(page).current()).toBeVisible();
  expect(visited.filter((url) => url.includes('/login'))).toEqual([]);
});

test('after a lost renewal the next call still recovers', async ({ page }) => {
  const email = await signUp(page);
  // As if the laptop slept through the renewal: refreshes fail for a while and the
  // access token runs out.
  await page.route('**/api/auth/refresh', (route) => route.abort('internetdisconnected'));
  await page.waitForTimeout(4_000);
  await page.unroute('**/api/auth/refresh');
  const dashboard = new DashboardPage(page);
  await dashboard.sessionsLink().click();
  await expect(new SessionsPage(page).current()).toBeVisible();
  await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
  await dashboard.expectSignedInAs(email);
});
