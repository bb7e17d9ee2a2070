import { test, expect, DashboardPage, SessionsPage, signUp, steadyURL } from '../fixtures/app';

test('two tabs stay signed in through several access-token lifetimes', async ({ page, context }) => {
  const email = await signUp(page);
  const second = await context.newPage();
  await second.goto('/');
  await new DashboardPage(second).expectSignedInAs(email);

  const refused: string[] = [];
  for (const p of [page, second]) {
    p.on('response', (r) => {
      if (r.url().endsWith('/api/auth/refresh') && r.status() !== 200) refused.push(`${r.status()}`);
    });
  }
  // Access tokens live 3 s: both tabs renew several times, sometimes at once.
  await page.waitForTimeout(10_000);
  expect(refused).toEqual([]);
  for (const p of [page, second]) {
    await new DashboardPage(p).expectSignedInAs(email);
    await new DashboardPage(p).sessionsLink().click();
    await expect(new SessionsPage(p).current()).toBeVisible();
  }
});

test.describe('with steady tokens', () => {
  test.use({ baseURL: steadyURL });

  test('signing out in one tab signs the other out too', async ({ page, context }) => {
    const email = await signUp(page);
    const second = await context.newPage();
    await second.goto('/sessions');
    await expect(new SessionsPage(second).current()).toBeVisible();

    await new DashboardPage(page).signOut().click();
    await expect(page).toHaveURL(/\/login$/);
    await expect(second).toHaveURL(/\/login$/, { timeout: 5_000 });
    // And it stays signed out: the session is gone on the server too.
    await second.reload();
    await expect(second).toHaveURL(/\/login/);
    await expect(second.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();
    expect(email).toContain('@');
  });

  test('signing in in one tab signs the other in', async ({ page, context }) => {
    const email = await signUp(page);
    await new DashboardPage(page).signOut().click();
    const second = await context.newPage();
    await second.goto('/login');
    await expect(second.getByRole('button', { name: 'Sign in', exact: true })).toBeVisible();

    const login = page.getByLabel('Email');
    await login.fill(email);
    await page.getByLabel('Password').fill('correct horse battery staple');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await new DashboardPage(page).expectSignedInAs(email);
    await new DashboardPage(second).expectSignedInAs(email);
  });
});
