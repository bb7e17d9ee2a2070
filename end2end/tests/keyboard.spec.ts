import { Locator, Page } from '@playwright/test';
import { test, expect, PASSWORD, hydrated, newEmail, steadyURL, verifyEmail } from '../fixtures/app';
import { totpCode } from '../fixtures/security';

// Keyboard alone, as a person without a mouse: Tab and Shift+Tab to move, typing,
// Enter and Escape. Every step reaches its control by tabbing (never by a click or a
// programmatic focus), sees a visible focus ring there, and finds focus where it
// should be after each step: on the error after a failed submit, in a dialog when it
// opens, back on its button when it closes.
test.use({ baseURL: steadyURL });

/** Presses Tab (or Shift+Tab) until `target` has focus; fails after 40 presses. */
async function tabTo(page: Page, target: Locator, back = false) {
  for (let i = 0; i < 40; i++) {
    await page.keyboard.press(back ? 'Shift+Tab' : 'Tab');
    if (await target.evaluate((el) => el === document.activeElement).catch(() => false)) {
      await expectFocusRing(target);
      return;
    }
  }
  throw new Error(`the keyboard never reached ${target}`);
}

/** The focused control shows a ring a person can see (WCAG 2.4.7). */
async function expectFocusRing(target: Locator) {
  const ring = await target.evaluate((el) => {
    const style = getComputedStyle(el);
    return { style: style.outlineStyle, width: parseFloat(style.outlineWidth) };
  });
  expect(ring.style, 'focus ring').not.toBe('none');
  expect(ring.width, 'focus ring width').toBeGreaterThanOrEqual(2);
}

async function type(page: Page, target: Locator, text: string, back = false) {
  await tabTo(page, target, back);
  await page.keyboard.type(text);
}

test('sign up, two-step verification, sign in with a code, revoke, change the password, delete: by keyboard', async ({
  page,
  browser,
}) => {
  test.setTimeout(120_000);
  const email = newEmail();

  // Sign up.
  await page.goto('/register');
  await hydrated(page);
  await type(page, page.getByLabel('Email'), email);
  await type(page, page.getByLabel('Password'), PASSWORD);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('email')).toHaveText(email);

  // The link from the mail proves the address (adding a second factor needs it).
  await verifyEmail(page, email);
  await page.goto('/');
  await hydrated(page);
  await expect(page.getByTestId('email')).toHaveText(email);

  // Turn on two-step verification.
  await tabTo(page, page.getByRole('link', { name: 'Account', exact: true }));
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Account');
  await tabTo(page, page.getByRole('button', { name: 'Set up authenticator app' }));
  await page.keyboard.press('Enter');
  const secret = (await page.locator('code.secret').textContent())!.replace(/\s+/g, '');
  await type(page, page.getByLabel('Verification code'), totpCode(secret));
  await page.keyboard.press('Enter');
  const codes = page.getByRole('list', { name: 'Recovery codes' }).getByRole('listitem');
  await expect(codes).toHaveCount(10);
  const recoveryCode = (await codes.first().textContent())!.trim();
  await tabTo(page, page.getByRole('button', { name: 'I saved them' }));
  await page.keyboard.press('Enter');
  await expect(page.getByText('recovery codes left')).toBeVisible();

  // Sign out, then sign in: a wrong password first, which takes focus to the error.
  await page.goto('/');
  await hydrated(page);
  await tabTo(page, page.getByRole('button', { name: 'Sign out', exact: true }));
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/login/);
  await hydrated(page);
  await type(page, page.getByLabel('Email'), email);
  await type(page, page.getByLabel('Password'), 'not the password');
  await page.keyboard.press('Enter');
  await expect(page.getByRole('alert')).toBeFocused();
  await expectFocusRing(page.getByRole('alert'));
  await tabTo(page, page.getByLabel('Password'), true);
  await page.keyboard.press('ControlOrMeta+a');
  await page.keyboard.type(PASSWORD);
  await page.keyboard.press('Enter');

  // The second step (the next 30-second code: turning it on used this one).
  await type(page, page.getByLabel('Verification code'), totpCode(secret, 1));
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('email')).toHaveText(email);

  // Revoke another device's session (signed in there with a mouse and a recovery code).
  const device = await browser.newContext({ baseURL: steadyURL });
  const phone = await device.newPage();
  await phone.goto('/login');
  await hydrated(phone);
  await phone.getByLabel('Email').fill(email);
  await phone.getByLabel('Password').fill(PASSWORD);
  await phone.getByRole('button', { name: 'Sign in', exact: true }).click();
  await phone.getByRole('button', { name: 'Use a recovery code' }).click();
  await phone.getByLabel('Recovery code').fill(recoveryCode);
  await phone.getByRole('button', { name: 'Verify' }).click();
  await expect(phone.getByTestId('email')).toHaveText(email);

  await tabTo(page, page.getByRole('link', { name: 'Sessions', exact: true }));
  await page.keyboard.press('Enter');
  const rows = page.getByRole('list', { name: 'Signed-in devices' }).getByRole('listitem');
  await expect(rows).toHaveCount(2);
  await tabTo(page, page.getByRole('button', { name: 'Revoke' }));
  await page.keyboard.press('Enter');
  await expect(rows).toHaveCount(1);
  await device.close();

  // Change the password.
  await tabTo(page, page.getByRole('link', { name: 'Account', exact: true }), true);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Account');
  const newPassword = 'violet kettle orbit 1987';
  await type(page, page.getByLabel('Current password'), PASSWORD);
  await type(page, page.getByLabel('New password'), newPassword);
  await page.keyboard.press('Enter');
  await expect(page.getByRole('status').filter({ hasText: 'Password changed.' })).toBeVisible();

  // Delete the account: the dialog takes focus, Escape gives it back to its button.
  const remove = page.getByRole('button', { name: 'Delete account' });
  await tabTo(page, remove);
  await page.keyboard.press('Enter');
  const dialog = page.getByRole('dialog', { name: 'Delete your account?' });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByLabel('Password')).toBeFocused();
  await page.keyboard.press('Escape');
  await expect(dialog).toBeHidden();
  await expect(remove).toBeFocused();
  await page.keyboard.press('Enter');
  await expect(dialog.getByLabel('Password')).toBeFocused();
  await page.keyboard.type(newPassword);
  await page.keyboard.press('Enter');
  await expect(page).toHaveURL(/\/login/);
});
