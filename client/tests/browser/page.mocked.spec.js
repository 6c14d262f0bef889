// The built page in a real Chromium against a mocked backend (Playwright routes for REST,
// routeWebSocket for the channels service). It checks the page and its wiring; the test
// against the real backend processes lives beside it.
import { expect, test } from '@playwright/test';

const CORS = {
  'access-control-allow-origin': '*',
  'access-control-allow-headers': 'authorization, content-type',
  'access-control-allow-methods': 'GET, POST, OPTIONS',
};

const CADETS = Array.from({ length: 5 }, (_, i) => ({
  id: i + 1,
  student_id: `2026-${1000 + i}`,
  first_name: 'Cadet',
  last_name: `Number${i + 1}`,
  company: 'Alpha',
  platoon: '1',
  status: 'Ongoing',
}));

async function mockBackend(page, { accessOk = () => true } = {}) {
  const calls = [];
  await page.route('**/api/v1/**', async (route) => {
    const request = route.request();
    const url = new URL(request.url());
    calls.push(`${request.method()} ${url.pathname}${url.search}`);
    if (request.method() === 'OPTIONS') return route.fulfill({ status: 204, headers: CORS });
    const json = (status, body) => route.fulfill({ status, headers: CORS, json: body });

    if (url.pathname.endsWith('/auth/login')) {
      const { username, password } = request.postDataJSON();
      if (password !== 'right') return json(401, { detail: 'No active account found' });
      return json(200, { access: 'access-1', refresh: 'refresh-1', user: { id: 1, username } });
    }
    if (url.pathname.endsWith('/auth/refresh')) return json(401, { detail: 'Token is blacklisted' });
    if (url.pathname.endsWith('/auth/logout')) return json(205, {});
    if (!accessOk(request.headers().authorization)) return json(401, { detail: 'Token expired' });
    if (url.pathname.endsWith('/auth/me')) return json(200, { id: 1, username: 'admin' });
    if (url.pathname.endsWith('/cadets/')) {
      const pageNo = Number(url.searchParams.get('page'));
      const size = Number(url.searchParams.get('page_size'));
      const start = (pageNo - 1) * size;
      return json(200, {
        count: CADETS.length,
        next: start + size < CADETS.length ? `${url.origin}${url.pathname}?page=${pageNo + 1}` : null,
        previous: pageNo > 1 ? `${url.origin}${url.pathname}?page=${pageNo - 1}` : null,
        results: CADETS.slice(start, start + size),
      });
    }
    return json(404, { detail: 'Not found' });
  });
  return calls;
}

test('log in, page through cadets and receive a notification toast', async ({ page }, testInfo) => {
  // given: a backend that knows one password and a channels service that pushes a notification
  const calls = await mockBackend(page);
  let serverSocket;
  await page.routeWebSocket(/\/ws\/notifications\//, (ws) => {
    serverSocket = ws;
  });
  await page.goto('/?page_size=2');
  await expect(page.getByTestId('login-view')).toBeVisible();

  // when: a wrong password, then the right one
  await page.getByTestId('username').fill('admin');
  await page.getByTestId('password').fill('wrong');
  await page.getByTestId('login-submit').click();
  await expect(page.getByTestId('login-error')).toHaveText('No active account found');
  await page.getByTestId('password').fill('right');
  await page.getByTestId('login-submit').click();

  // then: the first page, then forward and back
  await expect(page.getByTestId('cadet-row')).toHaveCount(2);
  await expect(page.getByTestId('cadets-page')).toHaveAttribute('data-page', '1');
  await expect(page.getByTestId('current-user')).toHaveText('admin');
  await page.screenshot({ path: testInfo.outputPath('after-login.png') });
  await page.getByTestId('cadets-next').click();
  await expect(page.getByTestId('cadets-page')).toHaveAttribute('data-page', '2');
  await page.getByTestId('cadets-next').click();
  await expect(page.getByTestId('cadet-row')).toHaveCount(1);
  await expect(page.getByTestId('cadets-next')).toBeDisabled();
  await page.getByTestId('cadets-prev').click();
  await expect(page.getByTestId('cadets-page')).toHaveAttribute('data-page', '2');
  expect(calls).toContain('GET /api/v1/cadets/?page=3&page_size=2');

  // and: the socket connected with the token and a notification shows as a toast
  await expect.poll(() => serverSocket?.url()).toMatch(/\/ws\/notifications\/\?token=access-1$/);
  await expect(page.getByTestId('ws-status')).toHaveAttribute('data-status', 'open');
  serverSocket.send(
    JSON.stringify({
      type: 'notification',
      data: { id: 42, message: 'Your grade was updated', timestamp: '2026-01-01T00:00:00Z', priority: 'high', user_id: 1 },
      timestamp: '2026-01-01T00:00:00Z',
    }),
  );
  const toast = page.getByTestId('toast');
  await expect(toast).toHaveText('Your grade was updated');
  await expect(toast).toHaveAttribute('data-notification-id', '42');
  await page.screenshot({ path: testInfo.outputPath('after-notification.png') });
});

test('an expired session sends the user to login', async ({ page }) => {
  // given: stored tokens that the backend no longer accepts, and a refused refresh
  await mockBackend(page, { accessOk: () => false });
  await page.routeWebSocket(/\/ws\//, (ws) => ws.close({ code: 4401, reason: 'unauthorized' }));
  await page.addInitScript(() => {
    if (!sessionStorage.getItem('seeded')) {
      localStorage.setItem('rgms.accessToken', 'expired');
      localStorage.setItem('rgms.refreshToken', 'revoked');
      sessionStorage.setItem('seeded', '1');
    }
  });

  // when
  await page.goto('/');

  // then
  await expect(page).toHaveURL(/\/login\?reason=session-expired$/);
  await expect(page.getByTestId('login-notice')).toContainText('session has expired');
  expect(await page.evaluate(() => localStorage.getItem('rgms.accessToken'))).toBeNull();
});
