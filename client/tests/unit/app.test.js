import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { cadetName, loginErrorMessage, mountApp } from '../../src/app.js';

const html = readFileSync(join(dirname(fileURLToPath(import.meta.url)), '../../index.html'), 'utf8');
const $ = (id) => document.getElementById(id);
const flush = () => new Promise((resolve) => setTimeout(resolve, 0));

function cadetsPage(page, size, count) {
  const start = (page - 1) * size;
  const results = [];
  for (let i = start; i < Math.min(count, start + size); i += 1) {
    results.push({ id: i + 1, student_id: `S-${i + 1}`, first_name: 'Juan', last_name: `Cruz${i + 1}`, company: 'A', platoon: '1', status: 'Ongoing' });
  }
  return {
    count,
    next: start + size < count ? `http://api/cadets/?page=${page + 1}` : null,
    previous: page > 1 ? `http://api/cadets/?page=${page - 1}` : null,
    results,
  };
}

function fakeClient({ authenticated = false, count = 25 } = {}) {
  let token = authenticated ? 'tok' : null;
  return {
    login: vi.fn(async (username) => {
      token = 'tok';
      return { access: 'tok', refresh: 'r', user: { id: 1, username } };
    }),
    logout: vi.fn(async () => {
      token = null;
    }),
    listCadets: vi.fn(async ({ page, pageSize }) => cadetsPage(page, pageSize, count)),
    getMe: vi.fn(async () => ({ id: 1, username: 'me' })),
    getAccessToken: () => token,
    isAuthenticated: () => Boolean(token),
  };
}

function fakeSocketFactory() {
  const sockets = [];
  const factory = vi.fn((path, options) => {
    const socket = { path, options, open: vi.fn(), close: vi.fn() };
    sockets.push(socket);
    return socket;
  });
  return { factory, sockets };
}

function rows() {
  return [...document.querySelectorAll('[data-testid="cadet-row"]')].map((tr) => tr.dataset.cadetId);
}

async function login(username = 'admin', password = 'pw') {
  $('username').value = username;
  $('password').value = password;
  $('login-form').dispatchEvent(new Event('submit', { cancelable: true }));
  await flush();
  await flush();
}

beforeEach(() => {
  document.documentElement.innerHTML = html.replace(/^<!doctype html>/i, '');
  window.history.replaceState(null, '', '/');
});

afterEach(() => {
  vi.useRealTimers();
});

describe('page: login', () => {
  it('shows the login form when there is no token', async () => {
    const app = mountApp({ client: fakeClient(), createSocket: fakeSocketFactory().factory });
    await app.ready;

    expect($('login-view').hidden).toBe(false);
    expect($('cadets-view').hidden).toBe(true);
    expect($('login-notice').hidden).toBe(true);
    expect(window.location.pathname).toBe('/login');
  });

  it('says the session expired when sent back by the client', async () => {
    window.history.replaceState(null, '', '/login?reason=session-expired');

    const app = mountApp({ client: fakeClient({ authenticated: true }), createSocket: vi.fn() });
    await app.ready;

    expect($('login-view').hidden).toBe(false);
    expect($('login-notice').textContent).toMatch(/session has expired/);
  });

  it('logs in, lists the first page and opens the notifications socket', async () => {
    // given
    const client = fakeClient();
    const { factory, sockets } = fakeSocketFactory();
    window.history.replaceState(null, '', '/login?reason=session-expired&page_size=5');
    await mountApp({ client, createSocket: factory }).ready;

    // when
    await login('cadet1', 'secret');

    // then
    expect(client.login).toHaveBeenCalledWith('cadet1', 'secret');
    expect($('password').value).toBe('');
    expect($('login-view').hidden).toBe(true);
    expect($('cadets-view').hidden).toBe(false);
    expect($('current-user').textContent).toBe('cadet1');
    expect(window.location.pathname + window.location.search).toBe('/?page_size=5');
    expect(rows()).toEqual(['1', '2', '3', '4', '5']);
    expect($('cadets-page').dataset.page).toBe('1');
    expect($('cadets-page').textContent).toBe('Page 1 of 5');
    expect($('cadets-count').dataset.count).toBe('25');
    expect(sockets).toHaveLength(1);
    expect(sockets[0].path).toBe('notifications');
    expect(sockets[0].options.token()).toBe('tok');
    expect($('ws-status').dataset.status).toBe('connecting');
  });

  it.each([
    [{ response: { status: 401, data: { detail: 'No active account found' } } }, 'No active account found'],
    [{ response: { status: 401, data: {} } }, 'Invalid username or password.'],
    [{ response: { status: 400, data: { error: { message: 'Username is required' } } } }, 'Username is required'],
    [{ response: { status: 429, data: { detail: 'Throttled' } } }, 'Too many login attempts. Please wait and try again.'],
    [{ status: 0, code: 'NETWORK_ERROR', message: 'Network Error' }, 'Cannot reach the server. Check your connection.'],
    [{ response: { status: 500, data: '<html>' } }, 'Login failed. Please try again.'],
    [undefined, 'Login failed. Please try again.'],
  ])('shows a login error for %j', async (error, message) => {
    const client = fakeClient();
    client.login.mockRejectedValueOnce(error);
    await mountApp({ client, createSocket: vi.fn() }).ready;

    await login();

    expect($('login-error').hidden).toBe(false);
    expect($('login-error').textContent).toBe(message);
    expect($('login-submit').disabled).toBe(false);
    expect(loginErrorMessage(error)).toBe(message);
  });
});

describe('page: cadets', () => {
  it('loads the list at once when a token is stored, then shows the user', async () => {
    const client = fakeClient({ authenticated: true, count: 3 });
    const app = mountApp({ client, createSocket: fakeSocketFactory().factory });
    await app.ready;

    expect(rows()).toEqual(['1', '2', '3']);
    expect($('cadets-prev').disabled).toBe(true);
    expect($('cadets-next').disabled).toBe(true);
    expect($('current-user').textContent).toBe('me');
    expect($('logout-button').hidden).toBe(false);
  });

  it('still shows the list when /auth/me fails or has no username', async () => {
    const client = fakeClient({ authenticated: true, count: 1 });
    client.getMe.mockRejectedValueOnce(new Error('x'));
    await mountApp({ client, createSocket: fakeSocketFactory().factory }).ready;
    expect(rows()).toEqual(['1']);

    client.getMe.mockResolvedValueOnce(null);
    document.documentElement.innerHTML = html.replace(/^<!doctype html>/i, '');
    await mountApp({ client, createSocket: fakeSocketFactory().factory }).ready;
    expect($('current-user').hidden).toBe(true);
  });

  it('pages forward and back with next/previous', async () => {
    // given
    const client = fakeClient({ authenticated: true, count: 25 });
    await mountApp({ client, createSocket: fakeSocketFactory().factory, pageSize: 10 }).ready;
    expect($('cadets-prev').disabled).toBe(true);

    // when / then
    $('cadets-next').click();
    await flush();
    expect(rows()[0]).toBe('11');
    expect($('cadets-page').dataset.page).toBe('2');
    expect($('cadets-prev').disabled).toBe(false);

    $('cadets-next').click();
    await flush();
    expect(rows()).toEqual(['21', '22', '23', '24', '25']);
    expect($('cadets-next').disabled).toBe(true);

    $('cadets-prev').click();
    await flush();
    expect($('cadets-page').dataset.page).toBe('2');
    expect(client.listCadets.mock.calls.map(([o]) => o)).toEqual([
      { page: 1, pageSize: 10 },
      { page: 2, pageSize: 10 },
      { page: 3, pageSize: 10 },
      { page: 2, pageSize: 10 },
    ]);
  });

  it.each([
    [{ status: 0, code: 'NETWORK_ERROR' }, 'Cannot reach the server.'],
    [{ response: { status: 403 } }, 'You do not have access to the cadet list.'],
    [{ response: { status: 500 } }, 'Could not load cadets.'],
    [undefined, 'Could not load cadets.'],
  ])('shows a list error for %j', async (error, message) => {
    const client = fakeClient({ authenticated: true });
    client.listCadets.mockRejectedValueOnce(error);

    await mountApp({ client, createSocket: fakeSocketFactory().factory }).ready;

    expect($('cadets-error').textContent).toBe(message);
  });

  it('shows nothing extra on a 401: the client has already gone to login', async () => {
    const client = fakeClient({ authenticated: true });
    client.listCadets.mockRejectedValueOnce({ response: { status: 401 } });

    await mountApp({ client, createSocket: fakeSocketFactory().factory }).ready;

    expect($('cadets-error').hidden).toBe(true);
  });

  it('renders empty pages and missing fields', async () => {
    const client = fakeClient({ authenticated: true });
    client.listCadets.mockResolvedValueOnce({ next: null, previous: null });
    const app = mountApp({ client, createSocket: fakeSocketFactory().factory });
    await app.ready;
    expect(rows()).toEqual([]);
    expect($('cadets-count').dataset.count).toBe('0');
    expect($('cadets-page').textContent).toBe('Page 1 of 1');

    client.listCadets.mockResolvedValueOnce({ count: 1, next: null, previous: null, results: [{ id: 5 }] });
    await app.loadCadets(1);
    expect([...document.querySelectorAll('[data-cadet-id="5"] td')].map((td) => td.textContent)).toEqual(['5', '', '', '', '', '']);
  });

  it('cadetName joins rank and name parts, falling back to full_name or name', () => {
    expect(cadetName({ rank: 'Cdt', first_name: 'Ana', middle_name: ' ', last_name: 'Reyes', suffix_name: 'Jr.' })).toBe('Cdt Ana Reyes Jr.');
    expect(cadetName({ full_name: 'Ana Reyes' })).toBe('Ana Reyes');
    expect(cadetName({ name: 'A' })).toBe('A');
    expect(cadetName({})).toBe('');
  });

  it('logs out, closes the socket and shows the login form', async () => {
    const client = fakeClient({ authenticated: true });
    const { factory, sockets } = fakeSocketFactory();
    await mountApp({ client, createSocket: factory }).ready;

    $('logout-button').click();
    await flush();

    expect(client.logout).toHaveBeenCalledTimes(1);
    expect(sockets[0].close).toHaveBeenCalledTimes(1);
    expect($('login-view').hidden).toBe(false);
    expect($('login-notice').hidden).toBe(true);
    expect($('ws-status').dataset.status).toBe('idle');
    expect(window.location.pathname).toBe('/login');
  });

  it('logs out locally even when the server call fails', async () => {
    const client = fakeClient({ authenticated: true });
    client.logout.mockRejectedValueOnce({ status: 0, code: 'NETWORK_ERROR' });
    await mountApp({ client, createSocket: fakeSocketFactory().factory }).ready;

    $('logout-button').click();
    await flush();

    expect($('login-view').hidden).toBe(false);
  });
});

describe('page: notifications', () => {
  it('shows a toast for each notification and reflects the socket status', async () => {
    // given
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const { factory, sockets } = fakeSocketFactory();
    const app = mountApp({ client: fakeClient({ authenticated: true }), createSocket: factory, toastLifetime: 5000 });
    await app.ready;
    const { options } = sockets[0];

    // when
    options.onOpen();
    options.handlers.notification({ id: 9, message: 'New grade posted', timestamp: 't', priority: 'high', user_id: 1 });

    // then
    expect($('ws-status').dataset.status).toBe('open');
    expect($('ws-status').textContent).toBe('live');
    const toast = document.querySelector('[data-testid="toast"]');
    expect(toast.textContent).toBe('New grade posted');
    expect(toast.dataset.notificationId).toBe('9');
    expect(toast.dataset.priority).toBe('high');
    vi.advanceTimersByTime(5000);
    expect(document.querySelector('[data-testid="toast"]')).toBeNull();

    options.onClose({ willReconnect: true });
    expect($('ws-status').dataset.status).toBe('reconnecting');
    options.onClose({ willReconnect: false });
    expect($('ws-status').dataset.status).toBe('closed');
  });

  it('dismisses a toast on click, and keeps it when toastLifetime is 0', async () => {
    const app = mountApp({ client: fakeClient({ authenticated: true }), createSocket: fakeSocketFactory().factory, toastLifetime: 0 });
    await app.ready;

    const toast = app.showToast({});
    expect(toast.dataset.priority).toBe('normal');
    expect(toast.dataset.notificationId).toBe('');
    app.showToast(undefined);
    expect(document.querySelectorAll('.toast')).toHaveLength(2);
    toast.click();

    expect(document.querySelectorAll('.toast')).toHaveLength(1);
  });

  it('on auth refusal refreshes through the REST client once and reopens the socket', async () => {
    // given
    const client = fakeClient({ authenticated: true });
    const { factory, sockets } = fakeSocketFactory();
    await mountApp({ client, createSocket: factory }).ready;
    const { options } = sockets[0];
    client.getMe.mockClear();

    // when
    options.onAuthRefused();
    await flush();
    options.onAuthRefused(); // refused again before any successful open: give up
    await flush();

    // then
    expect($('ws-status').dataset.status).toBe('auth_refused');
    expect($('ws-status').textContent).toBe('auth refused');
    expect(client.getMe).toHaveBeenCalledTimes(1);
    expect(sockets[0].open).toHaveBeenCalledTimes(1);

    options.onOpen(); // a successful open re-arms the retry
    options.onAuthRefused();
    await flush();
    expect(client.getMe).toHaveBeenCalledTimes(2);
  });

  it('does not reopen the socket when the refresh fails', async () => {
    const client = fakeClient({ authenticated: true });
    const { factory, sockets } = fakeSocketFactory();
    await mountApp({ client, createSocket: factory }).ready;
    client.getMe.mockRejectedValueOnce({ response: { status: 401 } });

    sockets[0].options.onAuthRefused();
    await flush();

    expect(sockets[0].open).not.toHaveBeenCalled();
  });

  it('opens one socket per session', async () => {
    const client = fakeClient();
    const { factory, sockets } = fakeSocketFactory();
    await mountApp({ client, createSocket: factory }).ready;

    await login();
    await login();

    expect(sockets).toHaveLength(1);
  });
});
