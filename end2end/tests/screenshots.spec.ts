import { Page } from '@playwright/test';
import { test, expect, LoginPage, RegisterPage, DashboardPage, SessionsPage, signUp, signUpVerified, signInOnAnotherDevice, hydrated } from '../fixtures/app';
import { linkIn, mail, outboxOf } from '../fixtures/mail';
import { localURL, SecuritySections, totpCode, VirtualAuthenticator, withoutAutofill } from '../fixtures/security';
import { baton, becomeAdmin } from '../fixtures/admin';

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';

// A picture of every page, desktop and phone (360 px, the narrowest the contract
// names), in English and Korean, light and dark, to look at after UI work. Each state
// is pictured in place: the switcher rewords the page and the theme is the browser's,
// so nothing is reloaded. Nothing may be wider than the screen.

/** `screenshots/<device>-<name>-<lang>-<theme>.png`, in the four combinations. A modal
 * dialog makes the switcher inert, so `languages: false` pictures English only. */
function shooter(page: Page, device: string) {
  return async (name: string, { languages = true } = {}) => {
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow, `${name} is no wider than the ${device} screen`).toBeLessThanOrEqual(0);
    for (const lang of languages ? (['en', 'ko'] as const) : (['en'] as const)) {
      if (languages) {
        await page.getByRole('button', { name: lang === 'ko' ? '한국어' : 'English', exact: true }).click();
        await expect(page.locator('html')).toHaveAttribute('lang', lang);
      }
      for (const colorScheme of ['light', 'dark'] as const) {
        await page.emulateMedia({ colorScheme });
        // Transitions finished at once: a picture mid-way between themes is no picture.
        await page.screenshot({
          path: `screenshots/${device}-${name}-${lang}-${colorScheme}.png`,
          fullPage: true,
          animations: 'disabled',
        });
      }
    }
    await page.emulateMedia({ colorScheme: 'light' });
    if (languages) {
      await page.getByRole('button', { name: 'English', exact: true }).click();
      await expect(page.locator('html')).toHaveAttribute('lang', 'en');
    }
  };
}

for (const [device, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 360, height: 780 }],
] as const) {
  test(`screenshots of every page (${device})`, async ({ page, browser }) => {
    test.setTimeout(300_000);
    await page.setViewportSize(viewport);
    const shot = shooter(page, device);

    const register = new RegisterPage(page);
    await register.goto();
    await register.register('not-an-email');
    await expect(register.alert()).toBeVisible();
    await shot('register-error');

    const email = await signUp(page);
    const other = await browser.newContext();
    await signInOnAnotherDevice(other, email);
    // Let a few renewals happen (3 s tokens), so the timeline has something to show.
    await page.waitForTimeout(5_000);
    await expect(new DashboardPage(page).timeline()).not.toHaveCount(0);
    await expect(page.getByTestId('unverified')).toBeVisible();
    await shot('dashboard');

    await new DashboardPage(page).sessionsLink().click();
    await expect(new SessionsPage(page).rows()).toHaveCount(2);
    await shot('sessions');

    await page.getByRole('link', { name: 'Account', exact: true }).click();
    await expect(page.getByRole('heading', { name: 'Account', exact: true })).toBeVisible();
    await page.getByLabel('New password').pressSequentially('password12', { delay: 20 });
    await expect(page.getByTestId('password-advice')).toContainText('too easy to guess');
    await shot('account');
    await page.getByLabel('New email').fill(`moved-${email}`);
    await page.getByRole('button', { name: 'Change email' }).click();
    await expect(page.getByRole('button', { name: 'Cancel', exact: true })).toBeVisible();
    await shot('account-pending-email');
    await page.getByRole('button', { name: 'Delete account' }).click();
    await expect(page.getByRole('dialog', { name: 'Delete your account?' })).toBeVisible();
    await shot('account-delete', { languages: false });
    await page.keyboard.press('Escape');

    await page.getByRole('link', { name: 'Activity', exact: true }).click();
    await expect(page.getByRole('list', { name: 'Security events' }).getByRole('listitem')).toHaveCount(2);
    await shot('activity');

    await page.getByRole('link', { name: 'Dashboard', exact: true }).click();
    await expect(new DashboardPage(page).newDeviceNotice()).toBeVisible();
    await shot('dashboard-new-device');
    await new DashboardPage(page).signOut().click();
    const login = new LoginPage(page);
    await expect(page).toHaveURL(/\/login$/);
    await hydrated(page);
    await login.signIn(email, 'wrong password');
    await expect(login.alert()).toBeVisible();
    await shot('login-error');

    await page.getByRole('link', { name: 'Forgot password?' }).click();
    await hydrated(page);
    await shot('forgot');
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Send reset link' }).click();
    await expect(page.getByTestId('reset-sent')).toBeVisible();
    await shot('forgot-sent');
    await page.goto('/reset?token=' + 'A'.repeat(43));
    await hydrated(page);
    await page.getByLabel('New password').fill('a much better passphrase 7');
    await page.getByRole('button', { name: 'Set new password' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
    await shot('reset-invalid');
    await page.goto('/verify?token=' + 'A'.repeat(43));
    await expect(page.getByRole('alert')).toBeVisible();
    await shot('verify-invalid');
    // "This wasn't me", from the new-device mail of a sign-in in another browser.
    const firefox = await browser.newContext({ userAgent: FIREFOX });
    await signInOnAnotherDevice(firefox, email);
    await page.goto(linkIn(await mail(email, 'New sign-in to your account', 1, outboxOf(page.url())), '/not-me'));
    await expect(page.getByTestId('not-me-done')).toBeVisible();
    await shot('not-me');
    await firefox.close();
    await other.close();
  });
}

// The passkey and two-step sections of /account and the second step of /login.
for (const [device, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 360, height: 780 }],
] as const) {
  test.describe(() => {
    test.use({ baseURL: localURL });
    test(`screenshots of passkeys and two-step verification (${device})`, async ({ page }) => {
      test.setTimeout(120_000);
      await page.setViewportSize(viewport);
      const shot = shooter(page, device);
      await withoutAutofill(page);
      await VirtualAuthenticator.add(page);
      const email = await signUpVerified(page);
      await page.goto('/account');
      await hydrated(page);
      const sections = new SecuritySections(page);
      await sections.addPasskey('Work laptop');
      const secret = await sections.setUp();
      await sections.twoStep().scrollIntoViewIfNeeded();
      await shot('account-two-step-setup');
      await sections.turnOn(secret);
      await shot('account-recovery-codes');
      await sections.twoStep().getByRole('button', { name: 'I saved them' }).click();
      await expect(sections.twoStep()).toContainText('10 recovery codes left.');
      await shot('account-security');

      await page.goto('/');
      await new DashboardPage(page).signOut().click();
      await expect(page).toHaveURL(/\/login$/);
      await hydrated(page);
      await shot('login');
      await new LoginPage(page).signIn(email);
      await expect(page.getByLabel('Verification code')).toBeVisible();
      await page.getByLabel('Verification code').fill('000000' === totpCode(secret) ? '111111' : '000000');
      await page.getByRole('button', { name: 'Verify' }).click();
      await expect(page.getByRole('alert')).toBeVisible();
      await shot('login-second-step');
      await page.getByRole('button', { name: 'Use a recovery code' }).click();
      await expect(page.getByLabel('Recovery code')).toBeVisible();
      await shot('login-recovery-code');
    });
  });
}

for (const [device, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 360, height: 780 }],
] as const) {
  test(`screenshots of the administration pages (${device})`, async ({ page, browser }) => {
    test.setTimeout(180_000);
    await page.setViewportSize(viewport);
    const shot = shooter(page, device);

    // Someone without the role first.
    const other = await browser.newContext({ viewport });
    const someone = await other.newPage();
    const locked = await signUp(someone);
    await someone.goto('/admin');
    await expect(someone.getByRole('heading', { name: 'No access' })).toBeVisible();
    await shooter(someone, device)('admin-no-access');
    await other.close();

    const email = await signUp(page);
    await becomeAdmin(page, email);
    await signUp(await (await browser.newContext()).newPage());
    baton(page, 'users', 'lock', locked, '--reason', 'Reported for spam by three people');
    await page.getByRole('link', { name: 'Admin', exact: true }).click();
    await expect(page.getByTestId('admin-users').locator('tbody tr')).not.toHaveCount(0);
    await shot('admin');

    await page.goto(`/admin`);
    await page.getByLabel('Search users').fill(locked);
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect(page.getByTestId('admin-users').locator('tbody tr')).toHaveCount(1);
    await page.getByRole('link', { name: locked }).click();
    await expect(page.getByTestId('account-status')).toHaveText('Locked');
    await shot('admin-user');
    await page.getByRole('button', { name: 'Delete account' }).click();
    await expect(page.getByRole('dialog', { name: 'Delete account' })).toBeVisible();
    await shot('admin-user-delete', { languages: false });
    await page.keyboard.press('Escape');

    await page.goto('/admin/audit');
    await expect(page.getByTestId('admin-audit').locator('tbody tr')).not.toHaveCount(0);
    await shot('admin-audit');
  });
}

// Signing in with another provider: the steady server offers "Test ID" (scripts/e2e.sh).
for (const [device, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 360, height: 780 }],
] as const) {
  test(`screenshots of signing in with a provider (${device})`, async ({ page, request }) => {
    test.setTimeout(120_000);
    await page.setViewportSize(viewport);
    await page.route('https://fonts.googleapis.com/**', (route) => route.abort());
    const shot = shooter(page, device);
    const steady = process.env.STEADY_URL ?? 'http://127.0.0.1:3000';

    await page.goto(`${steady}/login`);
    await hydrated(page);
    await shot('provider-login');
    await page.goto(`${steady}/register`);
    await hydrated(page);
    await shot('provider-register');

    // An address that has an account: the refusal.
    const taken = `shot-${Date.now()}-${device}@example.com`;
    await request.post(`${steady}/api/auth/register`, { form: { email: taken, password: 'correct horse battery staple' } });
    await page.goto(`${steady}/login`);
    await hydrated(page);
    await page.getByRole('button', { name: 'Continue with Test ID' }).click();
    await page.locator('input[name=login]').fill(taken);
    await page.locator('input[name=password]').fill('x');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await expect(page.getByRole('alert')).toBeVisible();
    await hydrated(page);
    await shot('provider-refused');

    // Signed in with the password, the account page's Connected accounts.
    await new LoginPage(page).signIn(taken);
    await new DashboardPage(page).expectSignedInAs(taken);
    await page.goto(`${steady}/account`);
    await hydrated(page);
    await page.getByRole('region', { name: 'Connected accounts' }).scrollIntoViewIfNeeded();
    await shot('provider-account');
  });
}

// Signing in with an email code: the code forms in place on /login, the code sent, a
// wrong code, and the mail's link page once used.
for (const [device, viewport] of [
  ['desktop', { width: 1280, height: 800 }],
  ['phone', { width: 360, height: 780 }],
] as const) {
  test(`screenshots of signing in with an email code (${device})`, async ({ page }) => {
    test.setTimeout(120_000);
    await page.setViewportSize(viewport);
    await page.route('https://fonts.googleapis.com/**', (route) => route.abort());
    const shot = shooter(page, device);
    const steady = process.env.STEADY_URL ?? 'http://127.0.0.1:3000';
    const email = `code-${Date.now()}-${device}@example.com`;

    await page.goto(`${steady}/login`);
    await hydrated(page);
    await page.getByRole('link', { name: 'Email me a sign-in code' }).click();
    await shot('email-code-ask');
    await page.getByLabel('Email').fill(email);
    await page.getByRole('button', { name: 'Email me a code' }).click();
    await expect(page.getByTestId('code-sent')).toBeVisible();
    await page.getByLabel('Code').fill('000000');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(page.getByRole('alert')).toBeVisible();
    await shot('email-code-sent');
    const link = linkIn(await mail(email, 'create your account', 1, outboxOf(steady)), '/login/code');
    await page.goto(`${steady}${link}`);
    await new DashboardPage(page).expectSignedInAs(email);
    await page.getByRole('button', { name: 'Sign out', exact: true }).click();
    await page.goto(`${steady}${link}`);
    await expect(page.getByRole('alert')).toBeVisible();
    await shot('email-code-link-dead');
  });
}
