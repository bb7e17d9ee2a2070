import { Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import {
  test,
  expect,
  hydrated,
  newEmail,
  signUpVerified,
  steadyURL,
  DashboardPage,
  LoginPage,
  PASSWORD,
} from '../fixtures/app';

// Sign in with another provider (docs/API.md): "Continue with Test ID" against a real
// OpenID Provider on loopback (oidc-provider, started by scripts/e2e.sh), whose own
// development login and consent pages the person goes through.
test.use({ baseURL: steadyURL });

const provider = process.env.BATON_TEST_OIDC_E2E ?? 'http://127.0.0.1:4000';
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

test.beforeEach(async ({ page }) => {
  // The provider's pages import a web font from the internet; these machines have none.
  await page.route('https://fonts.googleapis.com/**', (route) => route.abort());
});

/**
 * At the provider, as a person would: its login page (any password) when it asks, its
 * consent page when it asks (a returning person may see only that), until the provider
 * sends the browser back to Baton.
 */
async function logInAtProvider(page: Page, login: string) {
  await page.waitForURL((url) => url.href.startsWith(provider));
  for (let step = 0; step < 3 && page.url().startsWith(provider); step += 1) {
    const loginBox = page.locator('input[name=login]');
    const consent = page.getByRole('button', { name: 'Continue' });
    await expect(loginBox.or(consent)).toBeVisible();
    // Each answer moves on to a new address (the next interaction, or Baton).
    const before = page.url();
    if (await loginBox.isVisible()) {
      await loginBox.fill(login);
      await page.locator('input[name=password]').fill('any password');
      await page.getByRole('button', { name: 'Sign-in' }).click();
    } else {
      await consent.click();
    }
    await page.waitForURL((url) => url.href !== before);
  }
  await page.waitForURL((url) => url.href.startsWith(steadyURL));
}

async function expectAxeClean(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const found = violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(found, `axe violations on ${what}`).toEqual([]);
}

async function speak(page: Page, lang: 'en' | 'ko') {
  await page.getByRole('button', { name: lang === 'ko' ? '한국어' : 'English', exact: true }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
}

test('Continue with Test ID: the provider\'s login, then the dashboard, the token in memory only', async ({ page }) => {
  const email = newEmail();
  const login = new LoginPage(page);
  await login.goto('/login?next=/activity');
  await page.getByRole('button', { name: 'Continue with Test ID' }).click();
  await logInAtProvider(page, email);

  // Back on Baton, at `next`, signed in: the activity says how.
  await expect(page).toHaveURL(/\/activity$/);
  await expect(page.getByText('You created your account', { exact: false })).toBeVisible();
  await page.goto('/');
  await new DashboardPage(page).expectSignedInAs(email);

  const exposed = await page.evaluate(() => ({
    local: JSON.stringify({ ...localStorage }),
    session: JSON.stringify({ ...sessionStorage }),
    cookie: document.cookie,
  }));
  for (const [where, text] of Object.entries(exposed)) expect(text, where).not.toContain('eyJ');
  expect(exposed.cookie).toBe('');
  const cookies = await page.context().cookies(steadyURL);
  expect(cookies.find((c) => c.name === '__Host-oidc'), 'the oidc cookie is gone').toBeUndefined();

  // Signed out, the same button signs the same account in again.
  await new DashboardPage(page).signOut().click();
  await expect(page).toHaveURL(/\/login/);
  await hydrated(page);
  await page.getByRole('button', { name: 'Continue with Test ID' }).click();
  // The provider remembers the person (its own session): it may only ask for consent.
  await logInAtProvider(page, email);
  await new DashboardPage(page).expectSignedInAs(email);
});

test('an address that has an account is never linked: the page says to sign in and connect', async ({ page, request }) => {
  const email = newEmail();
  const registered = await request.post('/api/auth/register', { form: { email, password: PASSWORD } });
  expect(registered.status()).toBe(200);

  await new LoginPage(page).goto();
  await page.getByRole('button', { name: 'Continue with Test ID' }).click();
  await logInAtProvider(page, email);
  await expect(page).toHaveURL(/\/login\?provider_error=account_exists&provider=test$/);
  await expect(page.getByRole('alert')).toHaveText(
    'An account with this email already exists. Sign in, then connect Test ID from your account page.',
  );
  await hydrated(page);
  await expectAxeClean(page, 'the refusal');
  await speak(page, 'ko');
  await expect(page.getByRole('alert')).toContainText('Test ID');
  await expectAxeClean(page, 'the refusal (Korean)');
  await speak(page, 'en');
  // Signing in with the password still works, and nothing was connected.
  await new LoginPage(page).signIn(email);
  await new DashboardPage(page).expectSignedInAs(email);
});

test('connecting Test ID from the account page, then signing in with it', async ({ page, browser }) => {
  const email = await signUpVerified(page);
  await page.goto('/account');
  await hydrated(page);
  const section = page.getByRole('region', { name: 'Connected accounts' });
  await expect(section.getByText('Not connected')).toBeVisible();
  await expectAxeClean(page, '/account with Connected accounts');
  await speak(page, 'ko');
  await expectAxeClean(page, '/account with Connected accounts (Korean)');
  await speak(page, 'en');

  const elsewhere = newEmail();
  await section.getByRole('button', { name: 'Connect Test ID' }).click();
  await logInAtProvider(page, elsewhere);
  await expect(page).toHaveURL(/\/account\?provider=test$/);
  await hydrated(page);
  await expect(section.getByRole('status')).toHaveText('Test ID is connected: you can now sign in with it.');
  await expect(section.getByText(`Connected as ${elsewhere}`)).toBeVisible();
  await expect(section.getByRole('button', { name: 'Disconnect Test ID' })).toBeVisible();

  // Another browser: Continue with Test ID as that identity reaches this account.
  const other = await browser.newContext({ baseURL: steadyURL });
  const second = await other.newPage();
  await second.route('https://fonts.googleapis.com/**', (route) => route.abort());
  await second.goto('/login');
  await hydrated(second);
  await second.getByRole('button', { name: 'Continue with Test ID' }).click();
  await logInAtProvider(second, elsewhere);
  await new DashboardPage(second).expectSignedInAs(email);
  await other.close();
});

test('the sign-in and sign-up pages offer the provider, in both languages, axe-clean', async ({ page }) => {
  for (const path of ['/login', '/register']) {
    await page.goto(path);
    await hydrated(page);
    await expect(page.getByRole('button', { name: 'Continue with Test ID' })).toBeVisible();
    await expectAxeClean(page, path);
    await speak(page, 'ko');
    await expect(page.getByRole('button', { name: 'Test ID(으)로 계속하기' })).toBeVisible();
    await expectAxeClean(page, `${path} (Korean)`);
    await speak(page, 'en');
  }
});
