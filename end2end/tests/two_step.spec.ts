import { Page } from '@playwright/test';
import { test, expect, AccountPage, DashboardPage, LoginPage, hydrated, signUp, signUpVerified, steadyURL, PASSWORD } from '../fixtures/app';
import { SecuritySections, totpCode as code } from '../fixtures/security';

test.use({ baseURL: steadyURL });

/** Turns on two-step verification from /account: the secret and the recovery codes. */
async function turnOn(page: Page): Promise<{ secret: string; codes: string[] }> {
  await new AccountPage(page).goto();
  const sections = new SecuritySections(page);
  const secret = await sections.setUp();
  const codes = await sections.turnOn(secret);
  await sections.twoStep().getByRole('button', { name: 'I saved them' }).click();
  await expect(sections.twoStep()).toContainText('10 recovery codes left.');
  return { secret, codes };
}

async function signOutAndIn(page: Page, email: string) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
  await hydrated(page);
  await new LoginPage(page).signIn(email, PASSWORD);
}

test('turn it on, then signing in asks for the code; a wrong one is refused', async ({ page }) => {
  const email = await signUpVerified(page);
  const { secret } = await turnOn(page);
  await signOutAndIn(page, email);
  const box = page.getByLabel('Verification code');
  await expect(box).toBeVisible();
  await expect(box).toHaveAttribute('autocomplete', 'one-time-code');
  await box.fill(code(secret) === '000000' ? '111111' : '000000');
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert')).toContainText('That code did not work');
  // The confirming code's step is used: the next step's code (as the app shows soon).
  await box.fill(code(secret, 1));
  await page.getByRole('button', { name: 'Verify' }).click();
  await new DashboardPage(page).expectSignedInAs(email);
});

test('a recovery code signs in once, and turning it off needs the person', async ({ page }) => {
  const email = await signUpVerified(page);
  const { codes } = await turnOn(page);
  await signOutAndIn(page, email);
  await page.getByRole('button', { name: 'Use a recovery code' }).click();
  await page.getByLabel('Recovery code').fill(codes[0]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await new DashboardPage(page).expectSignedInAs(email);

  await signOutAndIn(page, email);
  await page.getByRole('button', { name: 'Use a recovery code' }).click();
  await page.getByLabel('Recovery code').fill(codes[0]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await expect(page.getByRole('alert')).toContainText('Each code works once');
  await page.getByLabel('Recovery code').fill(codes[1]);
  await page.getByRole('button', { name: 'Verify' }).click();
  await new DashboardPage(page).expectSignedInAs(email);

  await new AccountPage(page).goto();
  const section = page.getByRole('region', { name: 'Two-step verification' });
  await expect(section).toContainText('8 recovery codes left.');
  await section.getByRole('button', { name: 'Turn off' }).click();
  await expect(section.getByRole('status')).toContainText('Two-step verification is off.');
  await expect(section.getByRole('button', { name: 'Set up authenticator app' })).toBeVisible();
  await signOutAndIn(page, email);
  await new DashboardPage(page).expectSignedInAs(email);
});
