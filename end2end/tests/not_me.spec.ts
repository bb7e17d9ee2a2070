import { Browser, Page } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { test, expect, DashboardPage, LoginPage, hydrated, signUp, steadyURL, PASSWORD } from '../fixtures/app';
import { linkIn, mail, outboxOf } from '../fixtures/mail';

// "This wasn't me", from the link in a real mail: the steady server sends its mail
// through an SMTP conversation to the suite's listener (scripts/e2e.sh). Someone with
// the password signs in from another browser; the owner follows the new-device mail's
// link, which signs that browser out, and sets a new password.
test.use({ baseURL: steadyURL });

const FIREFOX = 'Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0';
const NEW_PASSWORD = 'violet kettle orbit 1987';
const TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa'];

async function expectAxeClean(page: Page, what: string) {
  const { violations } = await new AxeBuilder({ page }).withTags(TAGS).analyze();
  const found = violations.map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`);
  expect(found, `axe violations on ${what}`).toEqual([]);
}

/**
 * Someone with the password signs in from another browser (a new device for the
 * account), speaking `locale`; their tab shows the dashboard.
 */
async function intruderSignsIn(browser: Browser, email: string, locale: string) {
  const context = await browser.newContext({ userAgent: FIREFOX, locale });
  const signedIn = await context.request.post(`${steadyURL}/api/auth/login`, {
    form: { email, password: PASSWORD },
    headers: { 'User-Agent': FIREFOX, 'Accept-Language': locale },
  });
  expect(signedIn.status()).toBe(200);
  const page = await context.newPage();
  await page.goto('/');
  await expect(page.getByTestId('email')).toHaveText(email);
  return { context, page };
}

const words = {
  en: {
    subject: 'New sign-in to your account',
    done: '1 device was signed out',
    newPassword: 'New password',
    set: 'Set new password',
    locale: 'en-US',
  },
  ko: {
    subject: '계정에 새 로그인이 있었습니다',
    done: '기기 1개를 로그아웃시켰습니다',
    newPassword: '새 비밀번호',
    set: '새 비밀번호 설정',
    locale: 'ko-KR',
  },
};

for (const lang of ['en', 'ko'] as const) {
  const w = words[lang];
  test(`"This wasn't me" from the new-device mail signs the intruder out and sets a new password (${lang})`, async ({
    page,
    browser,
  }) => {
    // Two browsers, a mailed link, two axe runs: 13 s here, but over a minute on a
    // busy CI machine.
    test.slow();
    const email = await signUp(page);
    await page.context().addCookies([{ name: 'lang', value: lang, url: steadyURL }]);
    const { context: elsewhere, page: intruder } = await intruderSignsIn(browser, email, w.locale);

    // The mail, in the account's language (the latest sign-in's), with the link.
    const told = await mail(email, w.subject, 1, outboxOf(steadyURL));
    expect(told.text).toContain(lang === 'en' ? "This wasn't me" : '본인이 아닙니다');
    await page.goto(linkIn(told, '/not-me'));
    await hydrated(page);
    await expect(page.getByTestId('not-me-done')).toContainText(w.done);
    await expectAxeClean(page, `/not-me (${lang})`);

    // The intruder's browser is signed out.
    await intruder.reload();
    await expect(intruder).toHaveURL(/\/login/);
    await elsewhere.close();

    // The owner chooses a new password and lands signed in.
    await page.getByLabel(w.newPassword).fill(NEW_PASSWORD);
    await page.getByRole('button', { name: w.set }).click();
    await new DashboardPage(page).expectSignedInAs(email);

    // The link worked once.
    await page.goto(linkIn(told, '/not-me'));
    await expect(page.getByRole('alert')).toBeVisible();
    await expectAxeClean(page, `/not-me with a used link (${lang})`);
  });
}

test('the old password no longer signs in after "This wasn\'t me"', async ({ page, browser }) => {
  const email = await signUp(page);
  const { context: elsewhere, page: intruder } = await intruderSignsIn(browser, email, 'en-US');
  const login = new LoginPage(intruder);
  await page.goto(linkIn(await mail(email, words.en.subject, 1, outboxOf(steadyURL)), '/not-me'));
  await page.getByLabel('New password').fill(NEW_PASSWORD);
  await page.getByRole('button', { name: 'Set new password' }).click();
  await new DashboardPage(page).expectSignedInAs(email);
  await intruder.goto('/login');
  await hydrated(intruder);
  await login.signIn(email, PASSWORD);
  await expect(intruder.getByRole('alert')).toContainText('Email or password is wrong');
  await elsewhere.close();
});
