import { test, expect, LoginPage, RegisterPage, DashboardPage, newEmail, signUp, hydrated, PASSWORD } from '../fixtures/app';

test('create an account, sign out, sign in again', async ({ page }) => {
  const email = await signUp(page);
  const dashboard = new DashboardPage(page);
  await expect(dashboard.account()).toContainText('signed in on this device only');
  await dashboard.signOut().click();
  await expect(page).toHaveURL(/\/login$/);

  const login = new LoginPage(page);
  await hydrated(page);
  await login.signIn(email);
  await dashboard.expectSignedInAs(email);
});

test('registration explains what is wrong', async ({ page }) => {
  const register = new RegisterPage(page);
  await register.goto();
  await register.register('not-an-email');
  await expect(register.alert()).toHaveText('This is not an email address.');
  await register.register(newEmail(), 'short');
  await expect(register.alert()).toContainText('at least 8 characters');

  const taken = await signUp(page);
  await new DashboardPage(page).signOut().click();
  await expect(page).toHaveURL(/\/login$/);
  await register.goto();
  await register.register(taken.toUpperCase());
  await expect(register.alert()).toHaveText('An account with this email already exists.');
  await expect(page).toHaveURL(/\/register$/);
});

test('a wrong password is refused with a clear message', async ({ page }) => {
  const email = await signUp(page);
  await new DashboardPage(page).signOut().click();
  const login = new LoginPage(page);
  await expect(page).toHaveURL(/\/login$/);
  await hydrated(page);
  await login.signIn(email, 'not the password');
  await expect(login.alert()).toHaveText('Email or password is wrong.');
  await login.signIn('nobody-' + email, PASSWORD);
  await expect(login.alert()).toHaveText('Email or password is wrong.');
  // The button comes back for another try.
  await expect(login.submit()).toBeEnabled();
});

test('a signed-out visit goes to sign-in and comes back after it', async ({ page, browser }) => {
  const email = await signUp(page);

  const stranger = await browser.newContext();
  const visitor = await stranger.newPage();
  await visitor.goto('/sessions');
  await expect(visitor).toHaveURL(/\/login\?next=%2Fsessions$/);
  // No flash of the page itself on the way.
  await expect(visitor.getByRole('button', { name: 'Sign out everywhere' })).toHaveCount(0);
  const login = new LoginPage(visitor);
  await hydrated(visitor);
  await login.signIn(email);
  await expect(visitor).toHaveURL(/\/sessions$/);
  await expect(visitor.getByText('This device')).toBeVisible();
  await stranger.close();
});

test('a form sent before the app has loaded still signs in, or says what is wrong', async ({ page, browser }) => {
  const email = await signUp(page);
  await new DashboardPage(page).signOut().click();
  await expect(page).toHaveURL(/\/login$/);

  // Without scripts the form is a plain HTML form post, as it is before hydration.
  const early = await browser.newContext({ javaScriptEnabled: false });
  const form = new LoginPage(await early.newPage());
  await form.page.goto('/login?next=%2Fsessions');
  await form.signIn(email, 'not the password');
  await expect(form.page).toHaveURL(/\/login\?next=%2Fsessions&__path=/);
  await expect(form.alert()).toHaveText('Email or password is wrong.');

  // The same address in a browser that runs the app: hydration agrees with the server.
  await page.goto(form.page.url());
  await hydrated(page);
  await expect(new LoginPage(page).alert()).toHaveText('Email or password is wrong.');

  // The right password: back on the page, which then carries the new session's cookie.
  await form.signIn(email);
  await expect(form.page).toHaveURL(/\/login\?next=%2Fsessions$/);
  expect((await early.cookies()).map((c) => c.name)).toContain('__Host-refresh_token');
  await early.close();
});

test('a sign-in sent while the app is still loading stays on the page, and the app takes its answer', async ({
  page,
  browser,
}) => {
  const email = await signUp(page);
  await new DashboardPage(page).signOut().click();
  await expect(page).toHaveURL(/\/login$/);

  // The bundle is held back until `release`: the form is sent before hydration.
  const opened = async () => {
    const context = await browser.newContext();
    const early = await context.newPage();
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    await early.route('**/*.wasm', async (route) => {
      await released;
      await route.continue();
    });
    await early.goto('/login?next=%2Fsessions');
    // A navigation would start the page (and the bundle's download) over and drop this.
    await early.evaluate(() => ((window as unknown as { stayed: boolean }).stayed = true));
    return { context, early, release };
  };
  const stayed = (early: typeof page) => early.evaluate(() => (window as unknown as { stayed?: boolean }).stayed);
  const loginAnswer = (early: typeof page) =>
    early.waitForResponse((r) => new URL(r.url()).pathname === '/api/auth/login' && r.request().method() === 'POST');

  // A wrong password: answered while the bundle is away, said once it has arrived.
  const wrong = await opened();
  let answered = loginAnswer(wrong.early);
  await new LoginPage(wrong.early).signIn(email, 'not the password');
  expect((await answered).status()).toBe(401);
  expect(await stayed(wrong.early)).toBe(true);
  await expect(wrong.early.locator('body[data-hydrated]')).toHaveCount(0);
  wrong.release();
  await hydrated(wrong.early);
  await expect(new LoginPage(wrong.early).alert()).toHaveText('Email or password is wrong.');
  expect(await stayed(wrong.early)).toBe(true);
  await wrong.context.close();

  // The right one: signed in from the same answer, without a second sign-in or leaving the page.
  const right = await opened();
  const signIns: string[] = [];
  right.early.on('request', (r) => {
    if (new URL(r.url()).pathname === '/api/auth/login') signIns.push(r.method());
  });
  answered = loginAnswer(right.early);
  await new LoginPage(right.early).signIn(email);
  expect((await answered).status()).toBe(200);
  expect(await stayed(right.early)).toBe(true);
  right.release();
  await expect(right.early).toHaveURL(/\/sessions$/);
  await expect(right.early.getByText('This device')).toBeVisible();
  expect(await stayed(right.early)).toBe(true);
  expect(signIns).toEqual(['POST']);
  await right.context.close();
});

test('where WebAssembly is off, a sign-in form stays a plain form post', async ({ browser }) => {
  // As in Safari's Lockdown Mode: the page never hydrates, so the early script stands aside.
  const context = await browser.newContext();
  const form = new LoginPage(await context.newPage());
  await form.page.addInitScript(() => delete (window as unknown as { WebAssembly?: unknown }).WebAssembly);
  await form.page.goto('/login?next=%2Fsessions');
  await form.signIn(newEmail(), 'not the password');
  await expect(form.page).toHaveURL(/\/login\?next=%2Fsessions&__path=/);
  await expect(form.alert()).toHaveText('Email or password is wrong.');
  await context.close();
});
