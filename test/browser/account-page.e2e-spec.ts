import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import type { INestApplication } from '@nestjs/common';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import request from 'supertest';
import { inject } from 'vitest';
import { logInSession, signUp, TEST_PASSWORD } from '../support/auth-requests.js';
import { launchChromium } from '../support/chromium.js';
import { createTestApp } from '../support/create-test-app.js';
import { uniquePrefix } from '../support/unique-prefix.js';

const WINDOWS_CHROME =
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36';
const SCREENSHOTS = fileURLToPath(new URL('../../test-results/', import.meta.url));
const BROWSER_TEST_TIMEOUT_MS = 60_000;

describe('pages in a real browser: log in, see devices, sign one out', () => {
  let app: INestApplication;
  let server: Server;
  let baseUrl: string;
  let browser: Browser | undefined;
  let context: BrowserContext | undefined;
  /** Console errors (CSP violations, failed loads) and uncaught exceptions of the page. */
  let pageProblems: string[];

  beforeAll(async () => {
    app = await createTestApp({ redisUrl: inject('redisUrl'), keyPrefix: uniquePrefix('pages') });
    await app.listen(0, '127.0.0.1');
    server = app.getHttpServer();
    baseUrl = await app.getUrl();
    mkdirSync(SCREENSHOTS, { recursive: true });
  });

  afterEach(async () => {
    await context?.close();
    context = undefined;
  });

  afterAll(async () => {
    await browser?.close();
    await app.close();
  });

  /** A new browser profile (no cookies) on a fresh page; chromium starts on first use. */
  async function openPage(): Promise<Page> {
    browser ??= await launchChromium();
    context = await browser.newContext({ locale: 'en-US', viewport: { width: 900, height: 900 } });
    context.setDefaultTimeout(10_000);
    const page = await context.newPage();
    pageProblems = [];
    page.on('console', (message) => {
      if (message.type() === 'error') pageProblems.push(message.text());
    });
    page.on('pageerror', (error) => pageProblems.push(error.message));
    return page;
  }

  function url(path: string): string {
    return new URL(path, baseUrl).href;
  }

  async function logInThroughForm(page: Page, email: string, password: string): Promise<void> {
    await page.goto(url('/'));
    await page.getByLabel('Email').fill(email);
    await page.getByLabel('Password').fill(password);
    await page.getByRole('button', { name: 'Log in' }).click();
  }

  it(
    'logs in through the form, lists both devices and signs the other one out',
    async () => {
      const email = 'browser-user@example.com';
      await signUp(server, email);
      const other = await logInSession(server, email, { userAgent: WINDOWS_CHROME });
      const page = await openPage();

      await logInThroughForm(page, email, TEST_PASSWORD);
      await page.waitForURL(url('/account'));

      // The page's script fills the email in once its own GET /me answers: wait for it.
      await page.locator('#email').filter({ hasText: email }).waitFor();
      await expect(page.locator('#email').textContent()).resolves.toBe(email);
      const devices = page.getByRole('list', { name: 'Your devices' }).getByRole('listitem');
      const thisDevice = devices.filter({ hasText: 'This device' });
      const otherDevice = devices.filter({ hasNotText: 'This device' });
      await otherDevice.waitFor();
      expect(await devices.count()).toBe(2);
      expect(await thisDevice.count()).toBe(1);
      expect(await thisDevice.getByRole('button', { name: 'Sign out', exact: true }).count()).toBe(
        0,
      );
      const otherText = await otherDevice.innerText();
      expect(otherText).toContain('Chrome 124');
      expect(otherText).toContain('Windows');
      expect(otherText).toMatch(/IP address\s+127\.0\.0\.1/);
      expect(otherText).toMatch(/Last active\s+just now/);
      expect(
        await page.getByRole('button', { name: 'Sign out all other devices' }).isEnabled(),
      ).toBe(true);
      expect(await page.getByRole('button', { name: 'Log out' }).isVisible()).toBe(true);
      await page.screenshot({ path: `${SCREENSHOTS}account-page.png`, fullPage: true });

      await otherDevice.getByRole('button', { name: 'Sign out', exact: true }).click();
      await otherDevice.waitFor({ state: 'detached' });

      expect(await devices.count()).toBe(1);
      expect(await devices.innerText()).toContain('This device');
      expect(await page.getByRole('status').innerText()).toBe(
        'Signed out Chrome 124 on Windows 10.',
      );
      expect(
        await page.getByRole('button', { name: 'Sign out all other devices' }).isDisabled(),
      ).toBe(true);
      const otherMe = await request(server).get('/me').set('Cookie', `sid=${other.token}`);
      expect(otherMe.status).toBe(401);
      await page.screenshot({
        path: `${SCREENSHOTS}account-page-signed-out-other.png`,
        fullPage: true,
      });
      expect(pageProblems).toEqual([]);
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'shows a wrong password, then too many attempts (429), as text on the login page',
    async () => {
      const email = 'browser-wrong-password@example.com';
      await signUp(server, email);
      const page = await openPage();

      await logInThroughForm(page, email, 'not the password');

      const alert = page.getByRole('alert');
      await alert.waitFor();
      expect(await alert.innerText()).toBe('Invalid email or password.');
      expect(page.url()).toBe(url('/'));
      await page.screenshot({ path: `${SCREENSHOTS}login-page-error.png`, fullPage: true });

      // Keep failing until the login throttle answers 429 (5 failures per email by default).
      const logIn = page.getByRole('button', { name: 'Log in' });
      let text = '';
      for (let attempt = 0; attempt < 10 && !text.startsWith('Too many'); attempt += 1) {
        await logIn.click();
        // The button is disabled while the request runs.
        await page.locator('button[type="submit"]:not([disabled])').waitFor();
        text = await alert.innerText();
      }
      expect(text).toMatch(/^Too many attempts\. Try again in \d+ (seconds?|minutes)\.$/);
      // Chromium reports the refused fetches themselves on the console; nothing else may appear.
      expect(pageProblems.filter((problem) => !/\b(401|429)\b/.test(problem))).toEqual([]);
    },
    BROWSER_TEST_TIMEOUT_MS,
  );

  it(
    'signs up through the form, lands on the account page, and logs out',
    async () => {
      const email = 'browser-signup@example.com';
      const page = await openPage();
      await page.goto(url('/'));

      await page.getByRole('link', { name: 'Sign up' }).click();
      await page.waitForURL(url('/signup'));
      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(TEST_PASSWORD);
      await page.getByRole('button', { name: 'Sign up' }).click();
      await page.waitForURL(url('/account'));

      const devices = page.getByRole('list', { name: 'Your devices' }).getByRole('listitem');
      await devices.first().waitFor();
      expect(await devices.count()).toBe(1);
      expect(await devices.innerText()).toContain('This device');
      await expect(page.locator('#email').textContent()).resolves.toBe(email);
      expect(
        await page.getByRole('button', { name: 'Sign out all other devices' }).isDisabled(),
      ).toBe(true);
      const [cookie] = await context!.cookies(baseUrl);
      expect(cookie?.name).toBe('sid');

      await page.getByRole('button', { name: 'Log out' }).click();
      await page.waitForURL(url('/'));
      await page.getByRole('button', { name: 'Log in' }).waitFor();
      const me = await request(server)
        .get('/me')
        .set('Cookie', `sid=${cookie?.value ?? ''}`);
      expect(me.status).toBe(401);
      await page.goto(url('/account'));
      expect(page.url()).toBe(url('/'));
      expect(pageProblems).toEqual([]);
    },
    BROWSER_TEST_TIMEOUT_MS,
  );
});
