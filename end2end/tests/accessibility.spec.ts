import { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { test, expect, AccountPage, LoginPage, hydrated, signUp, verifyEmail, steadyURL } from '../fixtures/app';
import { SecuritySections, totpCode } from '../fixtures/security';
import { baton, becomeAdmin } from '../fixtures/admin';

// axe-core on every page and state, in the light and the dark theme and in English
// and Korean (WCAG 2.2 A/AA rules). Each state is checked in both languages in place:
// the switcher changes every string without a reload, so the state (an error shown,
// the QR code, the recovery codes) stays as it was. The light walk is at desktop width,
// the dark one at 360 px (the narrowest width the contract names), where axe's target
// sizes and reflow matter most and nothing may be wider than the screen.
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

/** Fails with axe's own words for any violation on the page as it is now. */
async function expectAxeClean(page: Page, what: string) {
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow, `${what} is no wider than the screen`).toBeLessThanOrEqual(0);
  const { violations, passes } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  expect(passes.length, `axe checked something on ${what}`).toBeGreaterThan(10);
  const found = violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(found, `axe violations on ${what}`).toEqual([]);
}

/** Switches the page's language with its switcher, and waits until it speaks it. */
async function speak(page: Page, lang: 'en' | 'ko') {
  await page.getByRole('button', { name: lang === 'ko' ? '한국어' : 'English', exact: true }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
}

/** axe in English, then in Korean, then back to English for the test's next steps. */
async function expectAccessible(page: Page, what: string) {
  await expectAxeClean(page, what);
  await speak(page, 'ko');
  await expectAxeClean(page, `${what} (Korean)`);
  await speak(page, 'en');
}

for (const [colorScheme, viewport] of [
  ['light', { width: 1280, height: 800 }],
  ['dark', { width: 360, height: 780 }],
] as const) {
  test.describe(`${colorScheme} theme`, () => {
    test.use({ baseURL: steadyURL, colorScheme, viewport });

    test(`signed-out pages and their errors (${colorScheme})`, async ({ page }) => {
      const login = new LoginPage(page);
      await login.goto();
      await expectAccessible(page, '/login');
      await login.signIn('nobody@example.com', 'not the password');
      await expect(login.alert()).toBeVisible();
      await expectAccessible(page, '/login with an error');
      for (const path of ['/register', '/forgot', `/reset?token=${'A'.repeat(43)}`]) {
        await page.goto(path);
        await hydrated(page);
        await expectAccessible(page, path);
      }
      await page.goto(`/verify?token=${'A'.repeat(43)}`);
      await expect(page.getByRole('alert')).toBeVisible();
      await expectAccessible(page, '/verify with a dead link');
    });

    test(`signed-in pages, dialogs, two-step setup and the second step (${colorScheme})`, async ({ page }) => {
      // Fourteen axe runs (each state in both languages) and a mailed link: about 40 s
      // on two idle cores; room for a busy machine.
      test.setTimeout(120_000);
      const email = await signUp(page);
      await expectAccessible(page, '/');
      for (const name of ['Sessions', 'Activity', 'Account']) {
        await page.getByRole('link', { name, exact: true }).click();
        await expect(page.getByRole('heading', { level: 1 })).toBeVisible();
        await expectAccessible(page, name);
      }
      // A modal dialog makes the switcher behind it inert: each language opens it anew.
      const account = new AccountPage(page);
      await account.deleteAccount().click();
      await expect(account.deleteDialog()).toBeVisible();
      await expectAxeClean(page, 'the delete dialog');
      await page.keyboard.press('Escape');
      await speak(page, 'ko');
      await page.getByRole('button', { name: '계정 삭제', exact: true }).click();
      await expect(page.getByRole('dialog', { name: '계정을 삭제할까요?' })).toBeVisible();
      await expectAxeClean(page, 'the delete dialog (Korean)');
      await page.keyboard.press('Escape');
      await speak(page, 'en');

      // Setting up the app needs a proved address: the link from the mail first.
      await verifyEmail(page, email);
      await expectAccessible(page, 'the address verified');
      await new AccountPage(page).goto();
      const sections = new SecuritySections(page);
      const secret = await sections.setUp();
      await expectAccessible(page, 'the authenticator app setup (QR code)');
      await sections.turnOn(secret);
      await expectAccessible(page, 'the recovery codes');
      await sections.twoStep().getByRole('button', { name: 'I saved them' }).click();

      await page.goto('/');
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      await expect(page).toHaveURL(/\/login/);
      await hydrated(page);
      await new LoginPage(page).signIn(email);
      await page.getByLabel('Verification code').fill(totpCode(secret) === '000000' ? '111111' : '000000');
      await page.getByRole('button', { name: 'Verify' }).click();
      await expect(page.getByRole('alert')).toBeVisible();
      await expectAccessible(page, 'the second step with an error');
      await page.getByRole('button', { name: 'Use a recovery code' }).click();
      await expectAccessible(page, 'the second step with a recovery code');
    });
  });
}

// The administration pages at 360 px (tables become lists there), light and dark.
for (const colorScheme of ['light', 'dark'] as const) {
  test.describe(`administration, ${colorScheme} theme, 360 px`, () => {
    test.use({ baseURL: steadyURL, colorScheme, viewport: { width: 360, height: 780 } });

    test(`the administration pages (${colorScheme})`, async ({ page, browser }) => {
      test.setTimeout(120_000);
      const other = await browser.newContext({ baseURL: steadyURL, viewport: { width: 360, height: 780 }, colorScheme });
      const someone = await other.newPage();
      const locked = await signUp(someone);
      // Someone without the role, at /admin.
      await someone.goto('/admin');
      await expect(someone.getByRole('heading', { name: 'No access' })).toBeVisible();
      await expectAccessible(someone, 'the no-access page');
      await other.close();

      const email = await signUp(page);
      await becomeAdmin(page, email);
      baton(page, 'users', 'lock', locked, '--reason', 'Reported for spam');
      await page.getByRole('link', { name: 'Admin', exact: true }).click();
      await expect(page.getByTestId('admin-users').locator('tbody tr')).not.toHaveCount(0);
      await expectAccessible(page, '/admin');
      await page.getByLabel('Search users').fill(locked);
      await page.getByRole('button', { name: 'Search', exact: true }).click();
      await expect(page.getByTestId('admin-users').locator('tbody tr')).toHaveCount(1);
      await page.getByRole('link', { name: locked }).click();
      await expect(page.getByTestId('account-status')).toHaveText('Locked');
      await expectAccessible(page, '/admin/users/{id}');
      await page.getByRole('button', { name: 'Unlock account' }).click();
      await expect(page.getByRole('dialog', { name: 'Unlock account' })).toBeVisible();
      await expectAxeClean(page, 'the unlock dialog');
      await page.keyboard.press('Escape');
      await page.goto('/admin/audit');
      await expect(page.getByTestId('admin-audit').locator('tbody tr')).not.toHaveCount(0);
      await expectAccessible(page, '/admin/audit');
    });
  });
}
