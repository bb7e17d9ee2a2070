import AxeBuilder from '@axe-core/playwright';
import { test, expect, hydrated, newEmail, signUp, steadyURL, DashboardPage, LoginPage } from '../fixtures/app';
import { mail, linkIn, outboxOf, Mail } from '../fixtures/mail';

// Signing in with a code by email (docs/API.md, "Sign in with an email code"), on the
// server that sends its mail over SMTP to a real listener (scripts/e2e.sh): the person
// reads the code off the mail, or follows its link.
test.use({ baseURL: steadyURL });

const box = outboxOf(steadyURL);
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

function codeIn(sent: Mail): string {
  const code = sent.text.split('\n').map((line) => line.trim()).find((line) => /^\d{6}$/.test(line));
  expect(code, `a 6-digit code in ${sent.file}`).toBeDefined();
  return code!;
}

test('Email me a sign-in code: the code from the mail signs in, and lands on the dashboard', async ({ page }) => {
  const email = await signUp(page);
  await new DashboardPage(page).signOut().click();
  await expect(page).toHaveURL(/\/login$/);
  const login = new LoginPage(page);
  await hydrated(page);
  await login.email().fill(email);
  await page.getByRole('link', { name: 'Email me a sign-in code' }).click();
  // The code forms in place: the password form gives way to Code and Sign in.
  await expect(page.getByRole('status')).toContainText(`We sent a code to ${email}`);
  await expect(login.password()).toHaveCount(0);

  const code = codeIn(await mail(email, 'Your Baton sign-in code', 1, box));
  await page.getByLabel('Code').fill('000000' === code ? '111111' : '000000');
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await expect(page.getByRole('alert')).toContainText('That code did not work');
  await page.getByLabel('Code').fill(code);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await new DashboardPage(page).expectSignedInAs(email);
  // Nothing of it in storage a script could read.
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }) + document.cookie);
  expect(stored).not.toContain(code);
  expect(stored).not.toMatch(/eyJ/);
});

test('a new address: the mail invites to create an account, and its link makes it', async ({ page }) => {
  const email = newEmail();
  await page.goto('/login');
  await hydrated(page);
  await page.getByRole('link', { name: 'Email me a sign-in code' }).click();
  // Nothing typed yet: the address first.
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Email me a code' }).click();
  await expect(page.getByRole('status')).toContainText(`We sent a code to ${email}`);

  const invitation = await mail(email, 'create your account', 1, box);
  expect(invitation.text).toContain('no password needed');
  const link = linkIn(invitation, '/login/code');
  await page.goto(link);
  await new DashboardPage(page).expectSignedInAs(email);
  // Its address is proved: no notice asks to verify it.
  await expect(page.getByTestId('unverified')).toHaveCount(0);
  // The link worked once.
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/login$/);
  await page.goto(link);
  await expect(page.getByRole('alert')).toContainText('no longer works');
  await expect(page.getByRole('link', { name: 'Go to sign in' })).toBeVisible();
});

test('before the wasm arrives, the link opens the code page', async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto(`${steadyURL}/login`);
  await page.getByRole('link', { name: 'Email me a sign-in code' }).click();
  await expect(page).toHaveURL(/\/login\/code$/);
  await expect(page.getByLabel('Email')).toBeVisible();
  await expect(page.getByRole('button', { name: 'Email me a code' })).toBeVisible();
  await context.close();
});

test('the code forms are accessible, in English and Korean', async ({ page }) => {
  for (const lang of ['en', 'ko']) {
    await page.context().addCookies([{ name: 'lang', value: lang, url: steadyURL }]);
    await page.goto('/login/code');
    await hydrated(page);
    expect((await new AxeBuilder({ page }).withTags(TAGS).analyze()).violations).toEqual([]);
    await page.getByLabel(lang === 'en' ? 'Email' : '이메일').fill(newEmail());
    await page.getByRole('button', { name: lang === 'en' ? 'Email me a code' : '코드 받기' }).click();
    await expect(page.getByTestId('code-sent')).toBeVisible();
    expect((await new AxeBuilder({ page }).withTags(TAGS).analyze()).violations).toEqual([]);
  }
});
