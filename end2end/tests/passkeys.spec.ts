import { Page } from '@playwright/test';
import {
  test, expect, AccountPage, DashboardPage, LoginPage, hydrated, signUp, signUpVerified, steadyURL, sudoURL, PASSWORD,
} from '../fixtures/app';
import { localURL, SecuritySections, VirtualAuthenticator, withoutAutofill } from '../fixtures/security';

// Passkeys in a real browser: Chromium's virtual authenticator (DevTools protocol
// `WebAuthn`) stands in for the device's platform authenticator: CTAP2, internal
// transport, resident keys, user verification. WebAuthn refuses IP addresses as RP
// IDs, so these tests open the app at http://localhost (the server's RP without
// BATON_PUBLIC_ORIGIN).
test.use({ baseURL: localURL });

async function addPasskey(page: Page, name: string) {
  await new AccountPage(page).goto();
  await new SecuritySections(page).addPasskey(name);
}

async function signOut(page: Page) {
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect(page).toHaveURL(/\/login/);
  await hydrated(page);
}

test('add a passkey, sign out, sign in with it, then remove it', async ({ page }) => {
  await withoutAutofill(page);
  const device = await VirtualAuthenticator.add(page);
  const email = await signUpVerified(page);
  await addPasskey(page, 'Test laptop');
  const stored = await device.credentials();
  expect(stored).toHaveLength(1);
  expect(stored[0].isResidentCredential).toBe(true);

  await signOut(page);
  // The Email box offers passkeys to the browser's autofill.
  await expect(page.getByLabel('Email')).toHaveAttribute('autocomplete', 'username webauthn');
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await new DashboardPage(page).expectSignedInAs(email);

  const account = new AccountPage(page);
  await account.goto();
  const section = page.getByRole('region', { name: 'Passkeys' });
  const row = section.getByRole('listitem').filter({ hasText: 'Test laptop' });
  await expect(row).not.toContainText('last used never');
  await row.getByRole('button', { name: 'Remove Test laptop' }).click();
  await expect(section.getByText('No passkey yet.')).toBeVisible();

  // The device still holds it, but the server no longer knows it.
  await signOut(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.getByRole('alert')).toContainText('not registered with Baton');
  await expect(page).toHaveURL(/\/login/);
});

test('the browser\'s passkey autofill signs in from the sign-in page', async ({ page }) => {
  await VirtualAuthenticator.add(page);
  const email = await signUpVerified(page);
  await addPasskey(page, 'Autofill');
  // The sign-in page asks for a passkey in the background (conditional mediation),
  // for the Email box's autofill. Chromium's virtual authenticator picks its one
  // passkey at once, as a person would pick it from the autofill list: signing out
  // lands on /login, and from there on the dashboard, without a click.
  const finishes: string[] = [];
  page.on('request', (r) => { if (r.url().endsWith('/api/auth/passkey/finish')) finishes.push(r.url()); });
  await page.goto('/');
  await page.getByRole('button', { name: 'Sign out', exact: true }).click();
  await expect.poll(() => finishes.length).toBe(1);
  await new DashboardPage(page).expectSignedInAs(email);
});

test('a device without a passkey fails cleanly, with a message', async ({ page }) => {
  await VirtualAuthenticator.add(page);
  await new LoginPage(page).goto();
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.getByRole('alert')).toContainText('No passkey was used');
  await expect(page.getByRole('button', { name: 'Sign in with a passkey' })).toBeEnabled();
  await expect(page).toHaveURL(/\/login/);
});

test('opened under another host, the passkey button says where passkeys work', async ({ page }) => {
  await VirtualAuthenticator.add(page);
  await page.goto(`${steadyURL}/login`);
  await hydrated(page);
  await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
  await expect(page.getByRole('alert')).toContainText(`work only at ${localURL}`);
});

test.describe('where sensitive actions want a sign-in of the last 3 seconds', () => {
  test.use({ baseURL: sudoURL.replace('127.0.0.1', 'localhost') });

  test('the re-authentication prompt takes a passkey instead of the password', async ({ page }) => {
    await VirtualAuthenticator.add(page);
    await signUpVerified(page);
    const account = new AccountPage(page);
    await account.goto();
    const sections = new SecuritySections(page);
    await sections.passkeys().getByRole('button', { name: 'Add a passkey' }).click();
    // Adding a passkey is sensitive too: past the 3 seconds, the password once.
    const dialog = account.reauthDialog();
    await expect(dialog.or(sections.passkeys().getByRole('status'))).toBeVisible();
    if (await dialog.isVisible()) {
      await dialog.getByLabel('Your password').fill(PASSWORD);
      await dialog.getByRole('button', { name: 'Confirm' }).click();
    }
    await expect(sections.passkeys().getByRole('status')).toContainText('added');

    await page.waitForTimeout(3_500);
    const download = page.waitForEvent('download');
    await account.download().click();
    await expect(dialog).toBeVisible();
    await dialog.getByRole('button', { name: 'Use a passkey' }).click();
    expect((await download).suggestedFilename()).toBe('baton-export.json');
    await expect(dialog).toBeHidden();
  });
});
