import { test, expect, DashboardPage, SessionsPage, signUp, signInOnAnotherDevice, steadyURL } from '../fixtures/app';

test.use({ baseURL: steadyURL });

test('revoke another device', async ({ page, browser }) => {
  const email = await signUp(page);
  const phone = await browser.newContext({ userAgent: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.0 Mobile/15E148 Safari/604.1' });
  const phonePage = await signInOnAnotherDevice(phone, email);

  const sessions = new SessionsPage(page);
  await sessions.goto();
  await expect(sessions.rows()).toHaveCount(2);
  await expect(sessions.current()).toHaveCount(1);
  const other = sessions.others();
  await expect(other).toContainText('Safari on iPhone');
  await other.getByRole('button', { name: 'Revoke' }).click();
  await expect(sessions.rows()).toHaveCount(1);
  await expect(sessions.current()).toBeVisible();

  // The phone is signed out at its next step.
  await phonePage.reload();
  await expect(phonePage).toHaveURL(/\/login/);
  await phone.close();
});

test('sign out everywhere', async ({ page, browser }) => {
  const email = await signUp(page);
  const laptop = await browser.newContext();
  const laptopPage = await signInOnAnotherDevice(laptop, email);

  const sessions = new SessionsPage(page);
  await sessions.goto();
  await expect(sessions.rows()).toHaveCount(2);
  await sessions.signOutEverywhere().click();
  await expect(page).toHaveURL(/\/login$/);

  // The other device's access token is refused at once; its refresh fails; it lands
  // on sign-in.
  await new DashboardPage(laptopPage).sessionsLink().click();
  await expect(laptopPage).toHaveURL(/\/login/);
  await laptop.close();
});
