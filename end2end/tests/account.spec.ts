import {
  test, expect, AccountPage, DashboardPage, LoginPage, signUp, signInOnAnotherDevice, watchRequests, hydrated,
  steadyURL, sudoURL, PASSWORD, signUpVerified,
} from '../fixtures/app';
import { totpCode } from '../fixtures/security';
import { readFile } from 'node:fs/promises';

const NEW_PASSWORD = 'violet kettle orbit 1987';

test.describe('with steady tokens', () => {
  test.use({ baseURL: steadyURL });

  test('changing the password signs the other device out, and the new one works', async ({ page, browser }) => {
    const email = await signUp(page);
    const phone = await browser.newContext();
    const phonePage = await signInOnAnotherDevice(phone, email);

    const account = new AccountPage(page);
    await account.goto();
    await account.currentPassword().fill(PASSWORD);
    await account.newPassword().fill(NEW_PASSWORD);
    await expect(account.advice()).toHaveText('Strong enough.');
    await account.changePassword().click();
    await expect(page.getByRole('status').filter({ hasText: 'Password changed' })).toBeVisible();

    // The other device is out at its next step; this one goes on.
    await phonePage.reload();
    await expect(phonePage).toHaveURL(/\/login/);
    await page.reload();
    await expect(page.getByRole('heading', { name: 'Account', exact: true })).toBeVisible();
    const login = new LoginPage(phonePage);
    await hydrated(phonePage);
    await login.signIn(email, PASSWORD);
    await expect(login.alert()).toContainText('Email or password is wrong.');
    await login.signIn(email, NEW_PASSWORD);
    await new DashboardPage(phonePage).expectSignedInAs(email);
    await phone.close();
  });

  test('a weak new password gets advice while typing, without a request per keystroke', async ({ page }) => {
    await signUp(page);
    const account = new AccountPage(page);
    await account.goto();
    const checks = watchRequests(page, '/api/auth/password_strength');
    // Five of these keystrokes leave eight characters or more: a check per keystroke
    // would be five requests; one after the pause (two if typing stalled) is the aim.
    await account.newPassword().pressSequentially('password1234', { delay: 40 });
    await expect(account.advice()).toContainText('This password is too easy to guess.');
    expect(checks.length).toBeGreaterThanOrEqual(1);
    expect(checks.length).toBeLessThan(5);
    await account.currentPassword().fill(PASSWORD);
    await account.changePassword().click();
    await expect(page.getByRole('alert')).toContainText('too easy to guess');
  });

  test('delete the account from the dialog: signed out, and signing in again fails', async ({ page }) => {
    const email = await signUp(page);
    const account = new AccountPage(page);
    await account.goto();
    await account.deleteAccount().click();
    const dialog = account.deleteDialog();
    await expect(dialog).toBeVisible();
    await expect(dialog).toContainText('every device signed in to this account is signed out at once');
    await expect(dialog).toContainText('your email address is free');
    await dialog.getByLabel('Password', { exact: true }).fill('not my password');
    await dialog.getByRole('button', { name: 'Delete my account' }).click();
    await expect(dialog.getByRole('alert')).toHaveText('That password is not right.');
    await dialog.getByLabel('Password', { exact: true }).fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Delete my account' }).click();

    await expect(page).toHaveURL(/\/login$/);
    const login = new LoginPage(page);
    await expect(login.alert()).toContainText('Your account was deleted.');
    await hydrated(page);
    await login.signIn(email);
    await expect(login.alert()).toContainText('Email or password is wrong.');
  });

  test('Download my data downloads baton-export.json', async ({ page }) => {
    const email = await signUp(page);
    const account = new AccountPage(page);
    await account.goto();
    const download = page.waitForEvent('download');
    await account.download().click();
    const file = await download;
    expect(file.suggestedFilename()).toBe('baton-export.json');
    const document = JSON.parse(await readFile(await file.path(), 'utf8'));
    expect(document.account.email).toBe(email);
    expect(document.events.map((e: { kind: string }) => e.kind)).toContain('signed_up');
  });

  test('the activity page tells of a replayed stolen token in plain words', async ({ page, context, playwright }) => {
    const email = await signUp(page);
    const stolen = (await context.cookies()).find((c) => c.name === '__Host-refresh_token')!;
    await page.reload();
    await expect(new DashboardPage(page).email()).toBeVisible();
    // The thief replays it after its rotation and after the grace window.
    await page.waitForTimeout(5_500);
    const thief = await playwright.request.newContext({ baseURL: steadyURL });
    const replay = await thief.post('/api/auth/refresh', {
      headers: { cookie: `__Host-refresh_token=${stolen.value}`, origin: steadyURL },
    });
    expect((await replay.json()).code).toBe('refresh_token_reused');
    await thief.dispose();

    // That session is over: sign in again and look.
    await page.reload();
    await expect(page).toHaveURL(/\/login/);
    const login = new LoginPage(page);
    await hydrated(page);
    await login.signIn(email);
    await new DashboardPage(page).expectSignedInAs(email);
    await page.getByRole('link', { name: 'Activity', exact: true }).click();
    const events = page.getByRole('list', { name: 'Security events' }).getByRole('listitem');
    await expect(
      events.filter({ hasText: /^Someone presented an old refresh token of .+; that session was ended to protect you\./ }),
    ).toHaveCount(1);
    await expect(events.first()).toContainText('Signed in on');
    await expect(events.first()).toContainText('this device');
  });

  test('the dashboard says when another device signed in', async ({ page, browser }) => {
    const email = await signUp(page);
    const dashboard = new DashboardPage(page);
    await expect(dashboard.newDeviceNotice()).toHaveCount(0);
    const phone = await browser.newContext({
      userAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36',
    });
    await signInOnAnotherDevice(phone, email);
    await page.reload();
    await expect(dashboard.newDeviceNotice()).toContainText('Chrome on Windows signed in to your account');
    await dashboard.newDeviceNotice().getByRole('link', { name: 'Review your sessions' }).click();
    await expect(page).toHaveURL(/\/sessions$/);
    await phone.close();
  });
});

test.describe('with a 3-second re-authentication window', () => {
  test.use({ baseURL: sudoURL });

  test('a sensitive action asks for the password again, then completes', async ({ page }) => {
    const email = await signUp(page);
    const account = new AccountPage(page);
    await account.goto();
    await page.waitForTimeout(3_500);
    const download = page.waitForEvent('download');
    await account.download().click();
    const dialog = account.reauthDialog();
    await expect(dialog).toBeVisible();
    await expect(dialog.getByLabel('Your password')).toBeFocused();
    await dialog.getByLabel('Your password').fill('not it');
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect(dialog.getByRole('alert')).toContainText('Email or password is wrong.');
    await dialog.getByLabel('Your password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect(dialog).toBeHidden();
    const file = await download;
    expect(file.suggestedFilename()).toBe('baton-export.json');
    expect(JSON.parse(await readFile(await file.path(), 'utf8')).account.email).toBe(email);
  });

  test('on an account with two-step verification the prompt asks for a code with the password', async ({ page }) => {
    const email = await signUpVerified(page);
    // The app turned on through the API, right after a sign-in (the 3-second window).
    const login = await page.request.post('/api/auth/login', { form: { email, password: PASSWORD } });
    const auth = { Authorization: `Bearer ${(await login.json()).access_token}` };
    const setup = await (await page.request.post('/api/mfa/totp/start', { headers: auth })).json();
    const confirmed = await page.request.post('/api/mfa/totp/confirm', {
      headers: auth,
      form: { code: totpCode(setup.secret) },
    });
    expect(confirmed.status()).toBe(200);
    const { recovery_codes: codes } = await confirmed.json();

    const account = new AccountPage(page);
    await account.goto();
    await page.waitForTimeout(3_500);
    const download = page.waitForEvent('download');
    await account.download().click();
    const dialog = account.reauthDialog();
    await dialog.getByLabel('Your password').fill(PASSWORD);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect(dialog.getByRole('alert')).toContainText('Two-step verification is on');
    await dialog.getByLabel('Verification code').fill(codes[0]);
    await dialog.getByRole('button', { name: 'Confirm' }).click();
    await expect(dialog).toBeHidden();
    expect((await download).suggestedFilename()).toBe('baton-export.json');
  });

  test('cancelling the prompt leaves the action undone and says so', async ({ page }) => {
    await signUp(page);
    const account = new AccountPage(page);
    await account.goto();
    await page.waitForTimeout(3_500);
    await account.download().click();
    await expect(account.reauthDialog()).toBeVisible();
    await page.keyboard.press('Escape');
    await expect(account.reauthDialog()).toBeHidden();
    await expect(page.getByRole('alert')).toHaveText('Not downloaded: you did not confirm it was you.');
  });
});
