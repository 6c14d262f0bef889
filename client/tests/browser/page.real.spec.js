// The built page in a real Chromium against the real backend processes on 127.0.0.1:
// gunicorn (REST) and daphne (websockets), PostgreSQL and Redis, with CORS_ALLOWED_ORIGINS set
// to the page's origin. Nothing is mocked.
//
// verification/tests/e2e/test_client_browser.py sets everything up (fresh database, seeded
// users and cadets, the two services, a development build pointing at them, the page served
// from an allowed and from a disallowed origin) and runs this file with the RGMS_E2E_*
// variables below. Without them the tests skip (as under a plain `npm run test:browser`).
//
// Screenshots after login and after a notification land in the test's output directory
// (test-results/real-backend/... with `npm run test:browser:real`) and are attached to the report.
import { expect, test } from '@playwright/test';

const env = process.env;
const E2E = {
  apiUrl: env.RGMS_E2E_API_URL,
  wsUrl: env.RGMS_E2E_WS_URL,
  otherOrigin: env.RGMS_E2E_OTHER_ORIGIN,
  admin: { username: env.RGMS_E2E_ADMIN_USERNAME, password: env.RGMS_E2E_ADMIN_PASSWORD },
  cadet: {
    username: env.RGMS_E2E_CADET_USERNAME,
    password: env.RGMS_E2E_CADET_PASSWORD,
    userId: Number(env.RGMS_E2E_CADET_USER_ID),
    cadetId: Number(env.RGMS_E2E_CADET_ID),
  },
  cadetCount: Number(env.RGMS_E2E_CADET_COUNT),
  expiredAccess: env.RGMS_E2E_EXPIRED_ACCESS,
  expiredRefresh: env.RGMS_E2E_EXPIRED_REFRESH,
};

test.skip(
  !E2E.apiUrl,
  'needs the real backend: run verification/tests/e2e/test_client_browser.py (it sets RGMS_E2E_*)',
);
test.describe.configure({ mode: 'serial' });

const ACCESS_KEY = 'rgms.accessToken';
const REFRESH_KEY = 'rgms.refreshToken';
const PAGE_SIZE = 20;

const api = (path) => `${E2E.apiUrl}/api/v1${path}`;
const isApi = (path) => (response) => response.url().startsWith(api(path));

async function logInThroughTheForm(page, { username, password }) {
  await page.getByTestId('username').fill(username);
  await page.getByTestId('password').fill(password);
  const answered = page.waitForResponse(isApi('/auth/login'));
  await page.getByTestId('login-submit').click();
  return answered;
}

async function storedTokens(page) {
  return page.evaluate(
    ([accessKey, refreshKey]) => ({
      access: localStorage.getItem(accessKey),
      refresh: localStorage.getItem(refreshKey),
    }),
    [ACCESS_KEY, REFRESH_KEY],
  );
}

async function storeTokens(page, { access, refresh }) {
  await page.evaluate(
    ([accessKey, refreshKey, tokens]) => {
      localStorage.setItem(accessKey, tokens.access);
      localStorage.setItem(refreshKey, tokens.refresh);
    },
    [ACCESS_KEY, REFRESH_KEY, { access, refresh }],
  );
}

async function visibleCadetIds(page) {
  return page.getByTestId('cadet-row').evaluateAll((rows) => rows.map((row) => row.dataset.cadetId));
}

/** A JWT with the first character of its signature changed: well formed, no longer valid.
 * (Not the last character: its low bits are base64 padding and may decode to the same bytes.) */
function tampered(token) {
  const [header, payload, signature] = token.split('.');
  const first = signature[0] === 'A' ? 'B' : 'A';
  return [header, payload, first + signature.slice(1)].join('.');
}

test('an admin logs in and pages through the cadets from the real API', async ({ page }, testInfo) => {
  // given: the login page, served from an origin the backend allows
  await page.goto(`/?page_size=${PAGE_SIZE}`);
  await expect(page.getByTestId('login-view')).toBeVisible();

  // when: a wrong password first; the real backend refuses it with its error body
  const refused = await logInThroughTheForm(page, { ...E2E.admin, password: 'not-the-password' });
  expect(refused.status()).toBe(401);
  await expect(page.getByTestId('login-error')).toBeVisible();
  await expect(page.getByTestId('login-error')).not.toContainText('Cannot reach the server');

  // and: the right password
  const firstPage = page.waitForResponse(isApi(`/cadets/?page=1&page_size=${PAGE_SIZE}`));
  const accepted = await logInThroughTheForm(page, E2E.admin);
  expect(accepted.status()).toBe(200);
  expect((await firstPage).status()).toBe(200);

  // then: page 1 of the seeded cadets, the socket live, the token stored
  const pages = Math.ceil(E2E.cadetCount / PAGE_SIZE);
  await expect(page.getByTestId('cadets-count')).toHaveAttribute('data-count', String(E2E.cadetCount));
  await expect(page.getByTestId('cadet-row')).toHaveCount(PAGE_SIZE);
  await expect(page.getByTestId('cadets-page')).toHaveText(`Page 1 of ${pages}`);
  await expect(page.getByTestId('cadets-prev')).toBeDisabled();
  await expect(page.getByTestId('current-user')).toHaveText(E2E.admin.username);
  await expect(page.getByTestId('ws-status')).toHaveAttribute('data-status', 'open');
  expect((await storedTokens(page)).access).toBeTruthy();
  await page.screenshot({ path: testInfo.outputPath('after-login.png'), fullPage: true });
  await testInfo.attach('after-login', { path: testInfo.outputPath('after-login.png'), contentType: 'image/png' });

  // and: next, next (the short last page), previous; every cadet seen exactly once
  const seen = [await visibleCadetIds(page)];
  for (let number = 2; number <= pages; number += 1) {
    const answered = page.waitForResponse(isApi(`/cadets/?page=${number}&page_size=${PAGE_SIZE}`));
    await page.getByTestId('cadets-next').click();
    expect((await answered).status()).toBe(200);
    await expect(page.getByTestId('cadets-page')).toHaveAttribute('data-page', String(number));
    const expected = number < pages ? PAGE_SIZE : E2E.cadetCount - PAGE_SIZE * (pages - 1);
    await expect(page.getByTestId('cadet-row')).toHaveCount(expected);
    seen.push(await visibleCadetIds(page));
  }
  await expect(page.getByTestId('cadets-next')).toBeDisabled();
  const all = seen.flat();
  expect(all).toHaveLength(E2E.cadetCount);
  expect(new Set(all).size).toBe(E2E.cadetCount);

  const back = page.waitForResponse(isApi(`/cadets/?page=${pages - 1}&page_size=${PAGE_SIZE}`));
  await page.getByTestId('cadets-prev').click();
  expect((await back).status()).toBe(200);
  await expect(page.getByTestId('cadets-page')).toHaveAttribute('data-page', String(pages - 1));
  expect(await visibleCadetIds(page)).toEqual(seen[pages - 2]);
});

test('a cadet sees only their own record and gets a notification over the websocket', async (
  { page, request },
  testInfo,
) => {
  // given: the cadet logged in, the notifications socket open on daphne
  await page.goto(`/login?page_size=${PAGE_SIZE}`);
  await logInThroughTheForm(page, E2E.cadet);
  await expect(page.getByTestId('current-user')).toHaveText(E2E.cadet.username);
  await expect(page.getByTestId('cadet-row')).toHaveCount(1);
  await expect(page.getByTestId('cadet-row')).toHaveAttribute('data-cadet-id', String(E2E.cadet.cadetId));
  await expect(page.getByTestId('ws-status')).toHaveAttribute('data-status', 'open');

  // when: an admin creates a notification for the cadet through the web API
  const login = await request.post(api('/auth/login'), { data: E2E.admin });
  expect(login.status()).toBe(200);
  const { access: adminToken } = await login.json();
  const message = `Grade posted ${Date.now().toString(36)}`;
  const created = await request.post(api('/notifications/'), {
    headers: { Authorization: `Bearer ${adminToken}` },
    data: { user_id: E2E.cadet.userId, message, type: 'grade', priority: 'high' },
  });
  expect(created.status(), await created.text()).toBe(201);
  const notification = await created.json();

  // then: the toast shows it, pushed by daphne through the Redis channel layer
  const toast = page.getByTestId('toast').filter({ hasText: message });
  await expect(toast).toBeVisible({ timeout: 15_000 });
  await expect(toast).toHaveAttribute('data-notification-id', String(notification.id));
  await expect(toast).toHaveAttribute('data-priority', 'high');
  await page.screenshot({ path: testInfo.outputPath('after-notification.png'), fullPage: true });
  await testInfo.attach('after-notification', {
    path: testInfo.outputPath('after-notification.png'),
    contentType: 'image/png',
  });
});

test('an expired access token is refreshed; an expired or forged session goes to login', async ({ page }) => {
  // given: an admin logged in through the page
  await page.goto(`/login?page_size=${PAGE_SIZE}`);
  await logInThroughTheForm(page, E2E.admin);
  await expect(page.getByTestId('cadet-row')).toHaveCount(PAGE_SIZE);
  const session = await storedTokens(page);

  // when: the stored access token has expired (signed with the backend's key, exp in the past)
  // but the refresh token is still good
  await storeTokens(page, { access: E2E.expiredAccess, refresh: session.refresh });
  const refreshed = page.waitForResponse(isApi('/auth/refresh'));
  await page.reload();

  // then: one refresh, the rotated tokens stored, the list and the socket work again
  expect((await refreshed).status()).toBe(200);
  await expect(page.getByTestId('cadet-row')).toHaveCount(PAGE_SIZE);
  await expect(page).not.toHaveURL(/\/login/);
  await expect(page.getByTestId('ws-status')).toHaveAttribute('data-status', 'open');
  const rotated = await storedTokens(page);
  expect(rotated.access).not.toBe(E2E.expiredAccess);
  expect(rotated.refresh).not.toBe(session.refresh);

  // when: both tokens are expired, or both forged, so the refresh fails too
  for (const tokens of [
    { access: E2E.expiredAccess, refresh: E2E.expiredRefresh },
    { access: tampered(rotated.access), refresh: tampered(rotated.refresh) },
  ]) {
    await storeTokens(page, tokens);
    const refusedRefresh = page.waitForResponse(isApi('/auth/refresh'));
    await page.goto(`/?page_size=${PAGE_SIZE}`);

    // then: the backend refuses the refresh and the page sends the user to login, tokens cleared
    expect((await refusedRefresh).status()).toBe(401);
    await expect(page).toHaveURL(/\/login\?reason=session-expired$/);
    await expect(page.getByTestId('login-notice')).toContainText('session has expired');
    expect(await storedTokens(page)).toEqual({ access: null, refresh: null });
  }
});

test('CORS lets the page origin in and keeps another origin out', async ({ page, browser, request, baseURL }) => {
  const allowedOrigin = new URL(baseURL).origin;
  expect(E2E.otherOrigin).toBeTruthy();
  expect(E2E.otherOrigin).not.toBe(allowedOrigin);

  // given: the page on its own origin
  await page.goto('/login');

  // when: it calls the API with credentials and an Authorization header (preflighted)
  const loginSeen = page.waitForResponse(isApi('/auth/login'));
  const fromAllowed = await page.evaluate(
    async ({ url, admin }) => {
      const login = await fetch(`${url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        credentials: 'include',
        body: JSON.stringify(admin),
      });
      const { access } = await login.json();
      const cadets = await fetch(`${url}/api/v1/cadets/?page=1&page_size=1`, {
        headers: { Authorization: `Bearer ${access}` },
      });
      return { login: login.status, cadets: cadets.status, count: (await cadets.json()).count };
    },
    { url: E2E.apiUrl, admin: E2E.admin },
  );

  // then: both calls succeed, and the backend named this origin in its CORS headers
  expect(fromAllowed).toEqual({ login: 200, cadets: 200, count: E2E.cadetCount });
  const headers = (await loginSeen).headers();
  expect(headers['access-control-allow-origin']).toBe(allowedOrigin);
  expect(headers['access-control-allow-credentials']).toBe('true');

  // given: the same build served from an origin that is not in CORS_ALLOWED_ORIGINS
  const context = await browser.newContext();
  const foreign = await context.newPage();
  const consoleLines = [];
  foreign.on('console', (line) => consoleLines.push(line.text()));
  try {
    await foreign.goto(`${E2E.otherOrigin}/login`);
    await expect(foreign.getByTestId('login-view')).toBeVisible();

    // when: a user tries to log in there
    await foreign.getByTestId('username').fill(E2E.admin.username);
    await foreign.getByTestId('password').fill(E2E.admin.password);
    await foreign.getByTestId('login-submit').click();

    // then: the browser blocks the response: the client reports a network error, no token
    await expect(foreign.getByTestId('login-error')).toHaveText(
      'Cannot reach the server. Check your connection.',
    );
    expect(await storedTokens(foreign)).toEqual({ access: null, refresh: null });
    await expect.poll(() => consoleLines.some((text) => /blocked by CORS policy/.test(text))).toBe(true);

    // and: a direct fetch from that origin fails the same way
    const fromForeign = await foreign.evaluate(async (url) => {
      try {
        const response = await fetch(`${url}/api/v1/auth/me`, { headers: { Authorization: 'Bearer x' } });
        return `answered ${response.status}`;
      } catch (error) {
        return `${error.name}: ${error.message}`;
      }
    }, E2E.apiUrl);
    expect(fromForeign).toMatch(/^TypeError: Failed to fetch/);
  } finally {
    await context.close();
  }

  // and: the server itself is up and answering; it just grants that origin nothing
  const direct = await request.post(api('/auth/login'), {
    headers: { Origin: E2E.otherOrigin },
    data: E2E.admin,
  });
  expect(direct.status()).toBe(200);
  expect(direct.headers()['access-control-allow-origin']).toBeUndefined();
  const preflight = await request.fetch(api('/auth/me'), {
    method: 'OPTIONS',
    headers: {
      Origin: E2E.otherOrigin,
      'Access-Control-Request-Method': 'GET',
      'Access-Control-Request-Headers': 'authorization',
    },
  });
  expect(preflight.headers()['access-control-allow-origin']).toBeUndefined();
});
