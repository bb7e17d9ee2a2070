import { Page } from '@playwright/test';
import { test, expect, LoginPage, hydrated, signUp, verifyEmail, AccountPage, steadyURL } from '../fixtures/app';
import { SecuritySections } from '../fixtures/security';

// English and Korean: the server renders in the language of the `lang` cookie or of
// Accept-Language (no flash of the other one), the switcher changes the page at once
// and is remembered, and no English is left on a Korean page.
test.use({ baseURL: steadyURL });

test('Accept-Language: ko is rendered in Korean by the server, lang="ko"', async ({ request, browser }) => {
  const korean = await (await request.get('/login', { headers: { 'Accept-Language': 'ko-KR,ko;q=0.9,en;q=0.8' } })).text();
  expect(korean).toMatch(/<html[^>]* lang="ko"/);
  expect(korean).toContain('비밀번호를 잊으셨나요?');
  expect(korean).not.toContain('Forgot password?');
  const english = await (await request.get('/login', { headers: { 'Accept-Language': 'fr-FR,en;q=0.5' } })).text();
  expect(english).toMatch(/<html[^>]* lang="en"/);
  expect(english).toContain('Forgot password?');

  // What a person sees before the bundle runs: already Korean, so nothing flashes.
  const context = await browser.newContext({ baseURL: steadyURL, locale: 'ko-KR', javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto('/login');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('로그인');
  await expect(page.getByLabel('비밀번호')).toBeVisible();
  await expect(page).toHaveTitle('로그인 · Baton');
  await context.close();
});

test('the switcher changes the page at once and is remembered across reloads', async ({ page }) => {
  const login = new LoginPage(page);
  await login.goto();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  await page.getByRole('button', { name: '한국어', exact: true }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('로그인');
  await expect(page.getByRole('button', { name: '한국어', exact: true })).toHaveAttribute('aria-pressed', 'true');
  expect((await page.context().cookies()).find((c) => c.name === 'lang')?.value).toBe('ko');

  // The choice outranks the browser's own (this browser asks for English).
  await page.reload();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('로그인');
  await hydrated(page);

  // Errors are the app's own words for the code, in the page's language.
  await page.getByLabel('이메일').fill('nobody@example.com');
  await page.getByLabel('비밀번호').fill('not the password');
  await page.getByRole('button', { name: '로그인', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText('이메일 또는 비밀번호가 올바르지 않습니다.');

  await page.getByRole('button', { name: 'English', exact: true }).click();
  await expect(page.getByRole('alert')).toHaveText('Email or password is wrong.');
  await page.reload();
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Sign in');
});

/** Every piece of text a person meets on the page: text, labels, placeholders, title. */
async function textsOf(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const found: string[] = [document.title];
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      // Values rather than words: addresses, codes, the token's tag.
      if (node.parentElement?.closest('script, style, code, [data-testid="email"], .topbar__user')) continue;
      const text = node.textContent?.trim();
      if (text) found.push(text);
    }
    for (const element of document.querySelectorAll('[aria-label], [placeholder], [title]')) {
      for (const name of ['aria-label', 'placeholder', 'title']) {
        const text = element.getAttribute(name)?.trim();
        if (text) found.push(text);
      }
    }
    return found;
  });
}

/** The English words of this page state that its Korean rendering still shows. */
async function untranslated(page: Page): Promise<string[]> {
  const english = new Set((await textsOf(page)).filter((t) => /[a-z]{3}/.test(t)));
  await page.getByRole('button', { name: '한국어', exact: true }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'ko');
  const korean = await textsOf(page);
  await page.getByRole('button', { name: 'English', exact: true }).click();
  await expect(page.locator('html')).toHaveAttribute('lang', 'en');
  // Names that are the same in every language (an OpenID provider's is its configured
  // name, scripts/e2e.sh), and values (an email address).
  const names = new Set(['Baton', 'English', 'Test ID']);
  return korean.filter((t) => english.has(t) && !names.has(t) && !/^\S+@\S+\.\S+$/.test(t));
}

test('no English is left on the Korean pages', async ({ page }) => {
  const leftovers: string[] = [];
  const walk = async (what: string) => {
    for (const text of await untranslated(page)) leftovers.push(`${what}: ${text}`);
  };

  const login = new LoginPage(page);
  await login.goto();
  await walk('/login');
  await login.signIn('nobody@example.com', 'not the password');
  await expect(login.alert()).toBeVisible();
  await walk('/login with an error');
  for (const path of ['/register', '/forgot', `/reset?token=${'A'.repeat(43)}`, '/nowhere']) {
    await page.goto(path);
    await hydrated(page);
    await walk(path);
  }
  await page.goto(`/verify?token=${'A'.repeat(43)}`);
  await expect(page.getByRole('alert')).toBeVisible();
  await walk('/verify with a dead link');

  const email = await signUp(page);
  await expect(page.getByTestId('account')).toContainText('Member since');
  await walk('/');
  for (const name of ['Sessions', 'Activity', 'Account']) {
    await page.getByRole('link', { name, exact: true }).click();
    await expect(page.getByRole('heading', { level: 1 })).toHaveText(name);
    await expect(page.getByRole('status').filter({ hasText: 'Loading' })).toHaveCount(0);
    await walk(name);
  }
  // Words kept from an answer (advice, a confirmation) are reworded too.
  await page.getByLabel('New password').pressSequentially('password12', { delay: 20 });
  await expect(page.getByTestId('password-advice')).toContainText('too easy to guess');
  await walk('a weak new password');
  // Setting up the app needs a proved address: the link from the mail first.
  await verifyEmail(page, email);
  await walk('the address verified');
  await new AccountPage(page).goto();
  const sections = new SecuritySections(page);
  const secret = await sections.setUp();
  await walk('the authenticator app setup');
  await sections.turnOn(secret);
  await walk('the recovery codes, two-step verification on');

  expect(leftovers).toEqual([]);
});
