import { test, expect, DashboardPage, hydrated, signUp, steadyURL, watchRequests } from '../fixtures/app';
import { AdminPages, becomeAdmin } from '../fixtures/admin';

// The administration (docs/API.md, "Roles and administration"), as an administrator
// made from the command line uses it, keyboard only, and as the person on the other
// end sees it.
test.describe('administration', () => {
  test.use({ baseURL: steadyURL });

  test('an administrator finds an account, locks it (the person is signed out and told why), unlocks it, and reads the audit log', async ({
    page,
    browser,
  }) => {
    test.slow();
    // The person, signed in in a browser of their own, the tab left open.
    const theirs = await browser.newContext({ baseURL: steadyURL });
    const person = await theirs.newPage();
    const personEmail = await signUp(person);

    const adminEmail = await signUp(page);
    await becomeAdmin(page, adminEmail);
    const admin = new AdminPages(page);

    // From here on the administrator uses the keyboard only.
    await page.getByRole('link', { name: 'Admin', exact: true }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Administration' })).toBeVisible();
    await admin.search().focus();
    await page.keyboard.type(personEmail.slice(0, personEmail.indexOf('@') - 2));
    await page.keyboard.press('Enter');
    await expect(admin.rows()).toHaveCount(1);
    await expect(admin.rows().first()).toContainText('Active');
    await admin.rows().first().getByRole('link', { name: personEmail }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: personEmail })).toBeVisible();
    const status = page.getByTestId('account-status');
    await expect(status).toHaveText('Active');

    await page.getByRole('button', { name: 'Lock account' }).focus();
    await page.keyboard.press('Enter');
    await expect(admin.dialog('Lock account')).toBeVisible();
    await expect(admin.reason()).toBeFocused();
    await page.keyboard.type('Reported for spam');
    await page.keyboard.press('Tab');
    await expect(page.getByRole('button', { name: 'Confirm' })).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(admin.dialog('Lock account')).toBeHidden();
    await expect(status).toHaveText('Locked');

    // The person's open tab notices within seconds, goes to /login and says why.
    await expect(person).toHaveURL(/\/login$/, { timeout: 25_000 });
    await expect(person.getByRole('alert')).toContainText('An administrator locked your account');
    // Their password is right, and still refused with the reason.
    await person.getByLabel('Email').fill(personEmail);
    await person.getByLabel('Password').fill('correct horse battery staple');
    await person.getByRole('button', { name: 'Sign in', exact: true }).click();
    await expect(person.getByRole('alert')).toContainText('An administrator locked this account');

    await page.getByRole('button', { name: 'Unlock account' }).focus();
    await page.keyboard.press('Enter');
    await expect(admin.dialog('Unlock account')).toBeVisible();
    await page.keyboard.press('Tab');
    await page.keyboard.press('Enter');
    await expect(status).toHaveText('Active');

    // Back in: their activity says what an administrator did, and why, never who.
    await person.getByRole('button', { name: 'Sign in', exact: true }).click();
    await new DashboardPage(person).expectSignedInAs(personEmail);
    await person.getByRole('link', { name: 'Activity', exact: true }).click();
    await expect(person.getByText('An administrator locked your account.')).toBeVisible();
    await expect(person.getByText('Reported for spam')).toBeVisible();
    await expect(person.getByText('An administrator unlocked your account.')).toBeVisible();
    await expect(person.getByText(adminEmail)).toHaveCount(0);
    await theirs.close();

    // The audit log, newest first.
    await page.getByRole('link', { name: 'All accounts' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('link', { name: 'Audit log' }).focus();
    await page.keyboard.press('Enter');
    await expect(page.getByRole('heading', { name: 'Audit log' })).toBeVisible();
    await expect(admin.auditRows().nth(0)).toContainText('Unlocked');
    await expect(admin.auditRows().nth(0)).toContainText(personEmail);
    await expect(admin.auditRows().nth(1)).toContainText('Locked');
    await expect(admin.auditRows().nth(1)).toContainText('Reported for spam');
    await expect(admin.auditRows().nth(1)).toContainText(adminEmail);
  });

  test('someone without the role sees that they have no access, and nothing of the administration', async ({ page }) => {
    await signUp(page);
    await expect(page.getByRole('link', { name: 'Activity', exact: true })).toBeVisible();
    await expect(page.getByRole('link', { name: 'Admin', exact: true })).toHaveCount(0);
    const asked = watchRequests(page, '/api/admin/users');
    await page.goto('/admin');
    await hydrated(page);
    await expect(page.getByRole('heading', { name: 'No access' })).toBeVisible();
    await expect(page.getByText("You don't have access to this page.")).toBeVisible();
    await expect(page).toHaveURL(/\/admin$/);
    await expect(page.getByTestId('admin-users')).toHaveCount(0);
    await page.goto('/admin/audit');
    await expect(page.getByRole('heading', { name: 'No access' })).toBeVisible();
    expect(asked).toHaveLength(0);
  });
});
