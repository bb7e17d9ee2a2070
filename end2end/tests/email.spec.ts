import { test, expect, LoginPage, DashboardPage, VerifyNotice, signUp, signUpVerified, hydrated, newEmail } from '../fixtures/app';
import { mail, linkIn } from '../fixtures/mail';
import { SecuritySections, totpCode } from '../fixtures/security';

const NEW_PASSWORD = 'violet kettle orbit 1987';

test('Forgot password? leads through the mail to a new password, signed in on the dashboard', async ({ page }) => {
  const email = await signUp(page);
  await new DashboardPage(page).signOut().click();
  await expect(page).toHaveURL(/\/login$/);

  const login = new LoginPage(page);
  await hydrated(page);
  await page.getByRole('link', { name: 'Forgot password?' }).click();
  await expect(page).toHaveURL(/\/forgot$/);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByRole('status')).toContainText('Check your inbox');

  const link = linkIn(await mail(email, 'Reset your Baton password'), '/reset');
  await page.goto(link);
  await hydrated(page);
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await new DashboardPage(page).expectSignedInAs(email);

  // The link worked once; the new password is the password now.
  await page.goto(link);
  await hydrated(page);
  await page.getByLabel('New password').fill('another fine passphrase 42');
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByRole('alert')).toContainText('no longer valid');
  await expect(page.getByRole('link', { name: 'Ask for a new link' })).toBeVisible();
  await page.goto('/');
  await new DashboardPage(page).signOut().click();
  await expect(page).toHaveURL(/\/login$/);
  await hydrated(page);
  await login.signIn(email, NEW_PASSWORD);
  await new DashboardPage(page).expectSignedInAs(email);
});

test('the same confirmation whatever the address', async ({ page }) => {
  await page.goto('/forgot');
  await hydrated(page);
  await page.getByLabel('Email').fill('nobody-at-all@example.com');
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await expect(page.getByTestId('reset-sent')).toContainText('If an account uses that address');
});

test('the verification notice goes once the link is followed', async ({ page }) => {
  const email = await signUp(page);
  const notice = new VerifyNotice(page);
  await expect(notice.notice()).toContainText(email);
  await notice.resend().click();
  await expect(notice.notice().getByRole('status')).toContainText('Sent');

  // The resent link replaced the first one: the newest mail's link verifies.
  const link = linkIn(await mail(email, 'Confirm your email address', 2), '/verify');
  await page.goto(link);
  await expect(page.getByTestId('verified')).toContainText('verified');
  await page.getByRole('link', { name: 'Continue to Baton' }).click();
  await new DashboardPage(page).expectSignedInAs(email);
  await expect(new DashboardPage(page).account()).toContainText('Member since');
  await expect(notice.notice()).toHaveCount(0);

  // Followed again: it says so, and verifies nothing.
  await page.goto(link);
  await expect(page.getByRole('alert')).toContainText('no longer valid');
});

test('a new address on /account takes effect when its link is followed', async ({ page }) => {
  const email = await signUp(page);
  const moved = newEmail();
  await page.getByRole('link', { name: 'Account', exact: true }).click();
  await page.getByLabel('New email').fill(moved);
  await page.getByRole('button', { name: 'Change email' }).click();
  await expect(page.getByRole('status').filter({ hasText: 'We sent a link to' })).toContainText(moved);
  await mail(email, 'about to change');

  const link = linkIn(await mail(moved, 'Confirm your new email address'), '/verify');
  await page.goto(link);
  await expect(page.getByTestId('verified')).toBeVisible();
  await page.getByRole('link', { name: 'Continue to Baton' }).click();
  // The next token body (3-second tokens here) carries the new address.
  await expect(new DashboardPage(page).email()).toHaveText(moved);
  await expect(new VerifyNotice(page).notice()).toHaveCount(0);
});

test('a pending change of address shows with Cancel, and Cancel ends its link', async ({ page }) => {
  await signUp(page);
  const moved = newEmail();
  await page.getByRole('link', { name: 'Account', exact: true }).click();
  await page.getByLabel('New email').fill(moved);
  await page.getByRole('button', { name: 'Change email' }).click();
  const email = page.getByRole('region', { name: 'Email' });
  await expect(email).toContainText(`Waiting for you to confirm ${moved}`);
  // Still there after a reload: it comes from the server.
  await page.reload();
  await hydrated(page);
  await expect(email).toContainText(`Waiting for you to confirm ${moved}`);
  await email.getByRole('button', { name: 'Cancel' }).click();
  await expect(email.getByRole('status')).toContainText('Cancelled');
  await expect(email).not.toContainText('Waiting for you to confirm');

  await page.goto(linkIn(await mail(moved, 'Confirm your new email address'), '/verify'));
  await expect(page.getByRole('alert')).toContainText('no longer valid');
});

test('a reset of an account with two-step verification asks for the code, then lands signed in', async ({ page }) => {
  const email = await signUpVerified(page);
  await page.goto('/account');
  await hydrated(page);
  const sections = new SecuritySections(page);
  const secret = await sections.setUp();
  await sections.turnOn(secret);
  await page.goto('/');
  await new DashboardPage(page).signOut().click();
  await expect(page).toHaveURL(/\/login$/);

  await page.goto('/forgot');
  await hydrated(page);
  await page.getByLabel('Email').fill(email);
  await page.getByRole('button', { name: 'Send reset link' }).click();
  await page.goto(linkIn(await mail(email, 'Reset your Baton password'), '/reset'));
  await hydrated(page);
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await expect(page.getByText('your new password is set once you verify')).toBeVisible();
  await page.getByLabel('Verification code').fill(totpCode(secret, 1));
  await page.getByRole('button', { name: 'Verify' }).click();
  await new DashboardPage(page).expectSignedInAs(email);
});

