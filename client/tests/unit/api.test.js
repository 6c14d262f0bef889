import axios from 'axios';
import MockAdapter from 'axios-mock-adapter';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  ACCESS_TOKEN_KEY,
  LOGIN_ROUTE,
  REFRESH_TOKEN_KEY,
  apiBaseUrl,
  createApiClient,
  createTokenStore,
  defaultRedirectToLogin,
  networkError,
} from '../../src/utils/api.js';

function memoryStorage(initial = {}) {
  const data = new Map(Object.entries(initial));
  return {
    data,
    getItem: (key) => (data.has(key) ? data.get(key) : null),
    setItem: (key, value) => data.set(key, String(value)),
    removeItem: (key) => data.delete(key),
  };
}

function setup(initialTokens = { access: 'access-1', refresh: 'refresh-1' }) {
  const initial = {};
  if (initialTokens.access) initial[ACCESS_TOKEN_KEY] = initialTokens.access;
  if (initialTokens.refresh) initial[REFRESH_TOKEN_KEY] = initialTokens.refresh;
  const storage = memoryStorage(initial);
  const logger = { warn: vi.fn(), error: vi.fn() };
  const redirectToLogin = vi.fn();
  const client = createApiClient({
    baseURL: 'http://api.test/api/v1',
    storage,
    logger,
    redirectToLogin,
  });
  const mock = new MockAdapter(client.http);
  return { client, mock, storage, logger, redirectToLogin };
}

const bearer = (config) => config.headers.Authorization ?? config.headers.get?.('Authorization');

describe('apiBaseUrl', () => {
  it('appends /api/v1 to VITE_API_URL', () => {
    // given / when / then
    expect(apiBaseUrl('https://rotc-django-web.onrender.com')).toBe(
      'https://rotc-django-web.onrender.com/api/v1',
    );
  });

  it('drops trailing slashes and surrounding space', () => {
    expect(apiBaseUrl(' http://127.0.0.1:8000// ')).toBe('http://127.0.0.1:8000/api/v1');
  });

  it('falls back to the same origin when the variable is unset', () => {
    expect(apiBaseUrl(undefined)).toBe('/api/v1');
    expect(apiBaseUrl()).toBe(`${(import.meta.env.VITE_API_URL ?? '').replace(/\/+$/, '')}/api/v1`);
  });
});

describe('request interceptor', () => {
  it('attaches the stored access token as a bearer token', async () => {
    // given
    const { client, mock } = setup();
    mock.onGet('/cadets/').reply((config) => [200, { auth: bearer(config) }]);

    // when
    const response = await client.http.get('/cadets/');

    // then
    expect(response.data.auth).toBe('Bearer access-1');
  });

  it('sends no Authorization header without a token', async () => {
    const { client, mock } = setup({});
    mock.onGet('/health').reply((config) => [200, { auth: bearer(config) ?? null }]);

    const response = await client.http.get('/health');

    expect(response.data.auth).toBeNull();
  });

  it('sends no Authorization header on requests marked skipAuth', async () => {
    const { client, mock } = setup();
    mock.onPost('/auth/login').reply((config) => [
      200,
      { access: 'a', refresh: 'r', user: {}, auth: bearer(config) ?? null },
    ]);

    const data = await client.login('cadet1', 'pw');

    expect(data.auth).toBeNull();
  });
});

describe('response interceptor: 401', () => {
  let ctx;
  beforeEach(() => {
    ctx = setup();
  });

  it('refreshes once, stores the rotated tokens and retries the original request', async () => {
    // given: the first call is refused, the refresh succeeds, the retry succeeds
    const { client, mock, storage, redirectToLogin } = ctx;
    const seen = [];
    mock.onGet('/cadets/').reply((config) => {
      seen.push(bearer(config));
      return bearer(config) === 'Bearer access-2' ? [200, { ok: true }] : [401, { detail: 'expired' }];
    });
    mock.onPost('/auth/refresh').reply((config) => {
      expect(JSON.parse(config.data)).toEqual({ refresh: 'refresh-1' });
      expect(bearer(config) ?? null).toBeNull();
      return [200, { access: 'access-2', refresh: 'refresh-2' }];
    });

    // when
    const response = await client.http.get('/cadets/');

    // then
    expect(response.data).toEqual({ ok: true });
    expect(seen).toEqual(['Bearer access-1', 'Bearer access-2']);
    expect(mock.history.post.filter((r) => r.url === '/auth/refresh')).toHaveLength(1);
    expect(storage.getItem(ACCESS_TOKEN_KEY)).toBe('access-2');
    expect(storage.getItem(REFRESH_TOKEN_KEY)).toBe('refresh-2');
    expect(redirectToLogin).not.toHaveBeenCalled();
  });

  it('keeps the old refresh token when the server does not rotate it', async () => {
    const { client, mock, storage } = ctx;
    mock
      .onGet('/cadets/')
      .replyOnce(401)
      .onGet('/cadets/')
      .replyOnce(200, { ok: true })
      .onPost('/auth/refresh')
      .reply(200, { access: 'access-2' });

    await client.http.get('/cadets/');

    expect(storage.getItem(ACCESS_TOKEN_KEY)).toBe('access-2');
    expect(storage.getItem(REFRESH_TOKEN_KEY)).toBe('refresh-1');
  });

  it('clears the tokens and redirects to login when the refresh is refused', async () => {
    // given
    const { client, mock, storage, redirectToLogin } = ctx;
    mock.onGet('/cadets/').reply(401, { detail: 'expired' });
    mock.onPost('/auth/refresh').reply(401, { detail: 'Token is blacklisted' });

    // when
    const error = await client.http.get('/cadets/').catch((e) => e);

    // then: the caller sees the original 401, the session is gone
    expect(error.response.status).toBe(401);
    expect(error.config.url).toBe('/cadets/');
    expect(storage.data.size).toBe(0);
    expect(redirectToLogin).toHaveBeenCalledTimes(1);
    expect(redirectToLogin).toHaveBeenCalledWith({ reason: 'session-expired' });
    expect(mock.history.get).toHaveLength(1);
    expect(mock.history.post).toHaveLength(1);
  });

  it('clears the tokens and redirects when the refresh fails on the network', async () => {
    const { client, mock, storage, redirectToLogin } = ctx;
    mock.onGet('/cadets/').reply(401);
    mock.onPost('/auth/refresh').networkError();

    const error = await client.http.get('/cadets/').catch((e) => e);

    expect(error.response.status).toBe(401);
    expect(storage.data.size).toBe(0);
    expect(redirectToLogin).toHaveBeenCalledTimes(1);
  });

  it('treats a refresh response without an access token as a failed refresh', async () => {
    const { client, mock, storage, redirectToLogin } = ctx;
    mock.onGet('/cadets/').reply(401);
    mock.onPost('/auth/refresh').reply(200, {});

    await expect(client.http.get('/cadets/')).rejects.toMatchObject({ response: { status: 401 } });

    expect(storage.data.size).toBe(0);
    expect(redirectToLogin).toHaveBeenCalledTimes(1);
  });

  it('goes straight to login without calling refresh when no refresh token is stored', async () => {
    const { client, mock, storage, redirectToLogin } = setup({ access: 'access-1' });
    mock.onGet('/cadets/').reply(401);

    await expect(client.http.get('/cadets/')).rejects.toMatchObject({ response: { status: 401 } });

    expect(mock.history.post).toHaveLength(0);
    expect(storage.data.size).toBe(0);
    expect(redirectToLogin).toHaveBeenCalledTimes(1);
  });

  it('does not loop: a retried request refused again ends the session without a second refresh', async () => {
    // given: every call to the resource is refused, whatever the token
    const { client, mock, storage, redirectToLogin } = ctx;
    mock.onGet('/cadets/').reply(401);
    mock.onPost('/auth/refresh').reply(200, { access: 'access-2', refresh: 'refresh-2' });

    // when
    const error = await client.http.get('/cadets/').catch((e) => e);

    // then: exactly one refresh and one retry
    expect(error.response.status).toBe(401);
    expect(mock.history.post).toHaveLength(1);
    expect(mock.history.get).toHaveLength(2);
    expect(storage.data.size).toBe(0);
    expect(redirectToLogin).toHaveBeenCalledTimes(1);
  });

  it('does not refresh when the refresh endpoint itself answers 401', async () => {
    const { client, mock, redirectToLogin } = ctx;
    mock.onPost('/auth/refresh').reply(401);

    await expect(
      client.http.post('/auth/refresh', { refresh: 'x' }, { skipAuthRefresh: true }),
    ).rejects.toMatchObject({ response: { status: 401 } });

    expect(mock.history.post).toHaveLength(1);
    expect(redirectToLogin).not.toHaveBeenCalled();
  });

  it('shares one refresh between concurrent 401s', async () => {
    // given: three requests fail together with the old token
    const { client, mock } = ctx;
    mock.onGet(/\/cadets\/\d+\//).reply((config) =>
      bearer(config) === 'Bearer access-2' ? [200, { url: config.url }] : [401],
    );
    mock.onPost('/auth/refresh').reply(() => [200, { access: 'access-2', refresh: 'refresh-2' }]);

    // when
    const results = await Promise.all(
      ['/cadets/1/', '/cadets/2/', '/cadets/3/'].map((url) => client.http.get(url)),
    );

    // then
    expect(results.map((r) => r.data.url)).toEqual(['/cadets/1/', '/cadets/2/', '/cadets/3/']);
    expect(mock.history.post).toHaveLength(1);
  });

  it('redirects once when concurrent 401s share a failed refresh', async () => {
    const { client, mock, redirectToLogin } = ctx;
    mock.onGet(/\/cadets\/\d+\//).reply(401);
    mock.onPost('/auth/refresh').reply(401);

    const results = await Promise.allSettled(
      ['/cadets/1/', '/cadets/2/'].map((url) => client.http.get(url)),
    );

    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect(mock.history.post).toHaveLength(1);
    expect(redirectToLogin).toHaveBeenCalledTimes(1);
  });

  it('retries without refreshing again when another request already refreshed the token', async () => {
    // given: a request sent with access-1 comes back 401 after the token became access-2
    const { client, mock, storage } = ctx;
    let release;
    const gate = new Promise((resolve) => {
      release = resolve;
    });
    mock.onGet('/slow/').reply(async (config) => {
      if (bearer(config) === 'Bearer access-2') return [200, { ok: true }];
      await gate;
      return [401];
    });
    const slow = client.http.get('/slow/');
    await new Promise((resolve) => setTimeout(resolve, 0));
    storage.setItem(ACCESS_TOKEN_KEY, 'access-2');

    // when
    release();
    const response = await slow;

    // then
    expect(response.data).toEqual({ ok: true });
    expect(mock.history.post).toHaveLength(0);
  });

  it('lets a 401 through untouched on requests marked skipAuthRefresh', async () => {
    const { client, mock, storage, redirectToLogin } = ctx;
    mock.onPost('/auth/login').reply(401, { detail: 'No active account found' });

    const error = await client.login('cadet1', 'wrong').catch((e) => e);

    expect(error.response.data.detail).toBe('No active account found');
    expect(mock.history.post).toHaveLength(1);
    expect(storage.getItem(ACCESS_TOKEN_KEY)).toBe('access-1');
    expect(redirectToLogin).not.toHaveBeenCalled();
  });
});

describe('response interceptor: other statuses', () => {
  it('logs a 403 as access denied and rejects with the response', async () => {
    // given
    const { client, mock, logger, redirectToLogin } = setup();
    mock.onGet('/grades/').reply(403, { detail: 'You do not have permission' });

    // when
    const error = await client.http.get('/grades/').catch((e) => e);

    // then
    expect(error.response.status).toBe(403);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0][0]).toMatch(/access denied: GET \/grades\//);
    expect(logger.warn.mock.calls[0][1]).toEqual({ detail: 'You do not have permission' });
    expect(logger.error).not.toHaveBeenCalled();
    expect(redirectToLogin).not.toHaveBeenCalled();
  });

  it.each([500, 502, 503, 504])('logs a %i as a server error and rejects', async (status) => {
    const { client, mock, logger } = setup();
    mock.onPost('/cadets/').reply(status, { detail: 'boom' });

    const error = await client.http.post('/cadets/', {}).catch((e) => e);

    expect(error.response.status).toBe(status);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error.mock.calls[0][0]).toMatch(
      new RegExp(`server error ${status}: POST /cadets/`),
    );
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('rejects other 4xx responses without logging', async () => {
    const { client, mock, logger } = setup();
    mock.onPost('/cadets/').reply(400, { student_id: ['required'] });
    mock.onGet('/cadets/9/').reply(404);

    await expect(client.http.post('/cadets/', {})).rejects.toMatchObject({
      response: { status: 400 },
    });
    await expect(client.http.get('/cadets/9/')).rejects.toMatchObject({
      response: { status: 404 },
    });
    expect(logger.warn).not.toHaveBeenCalled();
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('rejects a network error with {status: 0, code: NETWORK_ERROR, message}', async () => {
    // given
    const { client, mock, logger } = setup();
    mock.onGet('/cadets/').networkError();

    // when
    const error = await client.http.get('/cadets/').catch((e) => e);

    // then
    expect(error).toEqual({ status: 0, code: 'NETWORK_ERROR', message: 'Network Error' });
    expect(error.cause).toBeInstanceOf(Error);
    expect(logger.error).not.toHaveBeenCalled();
  });

  it('rejects a timeout as a network error too', async () => {
    const { client, mock } = setup();
    mock.onGet('/cadets/').timeout();

    await expect(client.http.get('/cadets/')).rejects.toMatchObject({
      status: 0,
      code: 'NETWORK_ERROR',
      message: expect.stringMatching(/timeout/),
    });
  });

  it('gives a network error a message even when the cause has none', () => {
    expect(networkError(new Error(''))).toEqual({
      status: 0,
      code: 'NETWORK_ERROR',
      message: 'Network error: the server could not be reached',
    });
    expect(networkError(undefined).message).toMatch(/could not be reached/);
  });

  it('passes a cancelled request through unchanged', async () => {
    const { client, mock, logger } = setup();
    mock.onGet('/cadets/').reply(200, {});
    const controller = new AbortController();
    controller.abort();

    const error = await client.http.get('/cadets/', { signal: controller.signal }).catch((e) => e);

    expect(axios.isCancel(error)).toBe(true);
    expect(logger.warn).not.toHaveBeenCalled();
  });

  it('passes successful responses through', async () => {
    const { client, mock } = setup();
    mock.onGet('/cadets/').reply(200, { count: 0 });

    await expect(client.http.get('/cadets/')).resolves.toMatchObject({ data: { count: 0 } });
  });

  it('logs a server error even when the failed request has no config', async () => {
    const { client } = setup();
    const handler = client.http.interceptors.response.handlers[0].rejected;
    const response = { status: 503, data: null };

    await expect(handler({ response, config: undefined })).rejects.toMatchObject({ response });
  });
});

describe('helpers', () => {
  it('login posts credentials, stores both tokens and returns the body', async () => {
    // given
    const { client, mock, storage } = setup({});
    const body = { access: 'a1', refresh: 'r1', user: { id: 1, username: 'admin', role: 'admin' } };
    mock.onPost('/auth/login').reply(200, body);

    // when
    const data = await client.login('admin', 's3cret');

    // then
    expect(JSON.parse(mock.history.post[0].data)).toEqual({ username: 'admin', password: 's3cret' });
    expect(data).toEqual(body);
    expect(storage.getItem(ACCESS_TOKEN_KEY)).toBe('a1');
    expect(storage.getItem(REFRESH_TOKEN_KEY)).toBe('r1');
    expect(client.isAuthenticated()).toBe(true);
    expect(client.getAccessToken()).toBe('a1');
  });

  it('logout posts the refresh token with the bearer token and clears storage', async () => {
    const { client, mock, storage } = setup();
    mock.onPost('/auth/logout').reply(205);

    await client.logout();

    expect(JSON.parse(mock.history.post[0].data)).toEqual({ refresh: 'refresh-1' });
    expect(bearer(mock.history.post[0])).toBe('Bearer access-1');
    expect(storage.data.size).toBe(0);
    expect(client.isAuthenticated()).toBe(false);
  });

  it('logout clears storage even when the server call fails, and does not refresh', async () => {
    const { client, mock, storage, redirectToLogin } = setup();
    mock.onPost('/auth/logout').reply(401);

    await expect(client.logout()).rejects.toMatchObject({ response: { status: 401 } });

    expect(mock.history.post).toHaveLength(1);
    expect(storage.data.size).toBe(0);
    expect(redirectToLogin).not.toHaveBeenCalled();
  });

  it('logout without a refresh token only clears local state', async () => {
    const { client, mock, storage } = setup({ access: 'access-1' });

    await client.logout();

    expect(mock.history.post).toHaveLength(0);
    expect(storage.data.size).toBe(0);
  });

  it('listCadets asks for page and page_size and returns the paginated body', async () => {
    // given
    const { client, mock } = setup();
    const page = { count: 25, next: 'http://api.test/api/v1/cadets/?page=3&page_size=10', previous: 'x', results: [{ id: 11 }] };
    mock.onGet('/cadets/', { params: { page: 2, page_size: 10 } }).reply(200, page);

    // when
    const data = await client.listCadets({ page: 2, pageSize: 10 });

    // then
    expect(data).toEqual(page);
    expect(mock.history.get[0].params).toEqual({ page: 2, page_size: 10 });
  });

  it('listCadets defaults to the first page of 20', async () => {
    const { client, mock } = setup();
    mock.onGet('/cadets/').reply(200, { count: 0, next: null, previous: null, results: [] });

    await client.listCadets();

    expect(mock.history.get[0].params).toEqual({ page: 1, page_size: 20 });
  });

  it('getMe returns the current user', async () => {
    const { client, mock } = setup();
    mock.onGet('/auth/me').reply(200, { id: 1, username: 'admin' });

    await expect(client.getMe()).resolves.toEqual({ id: 1, username: 'admin' });
  });

  it('setLogger and setRedirectToLogin replace the injected functions', async () => {
    const { client, mock, logger, redirectToLogin } = setup({ access: 'a' });
    const otherLogger = { warn: vi.fn(), error: vi.fn() };
    const otherRedirect = vi.fn();
    client.setLogger(otherLogger);
    client.setRedirectToLogin(otherRedirect);
    mock.onGet('/denied/').reply(403).onGet('/gone/').reply(401);

    await client.http.get('/denied/').catch(() => {});
    await client.http.get('/gone/').catch(() => {});

    expect(otherLogger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn).not.toHaveBeenCalled();
    expect(otherRedirect).toHaveBeenCalledTimes(1);
    expect(redirectToLogin).not.toHaveBeenCalled();
  });
});

describe('createApiClient with a fake adapter', () => {
  it('sends through the injected adapter with the bearer token and base URL', async () => {
    // given
    const adapter = vi.fn(async (config) => ({
      data: { url: `${config.baseURL}${config.url}`, auth: config.headers.get('Authorization') },
      status: 200,
      statusText: 'OK',
      headers: {},
      config,
    }));
    const client = createApiClient({
      baseURL: 'http://127.0.0.1:8000/api/v1',
      storage: memoryStorage({ [ACCESS_TOKEN_KEY]: 'tok' }),
      adapter,
    });

    // when
    const { data } = await client.http.get('/auth/me');

    // then
    expect(adapter).toHaveBeenCalledTimes(1);
    expect(data).toEqual({ url: 'http://127.0.0.1:8000/api/v1/auth/me', auth: 'Bearer tok' });
  });
});

describe('createTokenStore', () => {
  it('falls back to memory when no storage is available', () => {
    const store = createTokenStore(null);

    store.set({ access: 'a', refresh: 'r' });
    expect([store.getAccess(), store.getRefresh()]).toEqual(['a', 'r']);
    store.set({});
    expect(store.getAccess()).toBe('a');
    store.clear();
    expect([store.getAccess(), store.getRefresh()]).toEqual([null, null]);
  });

  it('uses localStorage by default', () => {
    localStorage.clear();
    const store = createTokenStore();

    store.set({ access: 'a', refresh: 'r' });

    expect(localStorage.getItem(ACCESS_TOKEN_KEY)).toBe('a');
    expect(localStorage.getItem(REFRESH_TOKEN_KEY)).toBe('r');
    store.clear();
    expect(localStorage.length).toBe(0);
  });

  it('works without persistence when reading localStorage throws', () => {
    const spy = vi.spyOn(globalThis, 'localStorage', 'get').mockImplementation(() => {
      throw new Error('SecurityError');
    });

    const store = createTokenStore();
    store.set({ access: 'a' });

    expect(store.getAccess()).toBe('a');
    spy.mockRestore();
  });

  it('works when the global has no localStorage at all', () => {
    const spy = vi.spyOn(globalThis, 'localStorage', 'get').mockReturnValue(undefined);

    const client = createApiClient({ baseURL: 'http://api.test/api/v1' });
    client.tokens.set({ access: 'a' });

    expect(client.isAuthenticated()).toBe(true);
    spy.mockRestore();
  });
});

describe('defaultRedirectToLogin', () => {
  let assign;
  beforeEach(() => {
    assign = vi.fn();
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('navigates to the login route with the reason', () => {
    vi.stubGlobal('window', { location: { pathname: '/cadets', assign } });

    defaultRedirectToLogin({ reason: 'session-expired' });

    expect(assign).toHaveBeenCalledWith(`${LOGIN_ROUTE}?reason=session-expired`);
  });

  it('defaults the reason to session-expired', () => {
    vi.stubGlobal('window', { location: { pathname: '/', assign } });

    defaultRedirectToLogin();

    expect(assign).toHaveBeenCalledWith(`${LOGIN_ROUTE}?reason=session-expired`);
  });

  it('does nothing when already on the login route', () => {
    vi.stubGlobal('window', { location: { pathname: LOGIN_ROUTE, assign } });

    defaultRedirectToLogin({ reason: 'x' });

    expect(assign).not.toHaveBeenCalled();
  });

  it('does nothing outside a browser', () => {
    vi.stubGlobal('window', undefined);

    expect(() => defaultRedirectToLogin()).not.toThrow();
  });
});

describe('module defaults', () => {
  it('exports a default client and helpers bound to it', async () => {
    // given a fresh copy of the module (its default client is built at import time)
    vi.resetModules();
    localStorage.clear();
    const mod = await import('../../src/utils/api.js');
    const mock = new MockAdapter(mod.api);
    const logger = { warn: vi.fn(), error: vi.fn() };
    const redirect = vi.fn();
    mod.setLogger(logger);
    mod.setRedirectToLogin(redirect);
    mock
      .onPost('/auth/login')
      .reply(200, { access: 'a', refresh: 'r', user: { username: 'u' } })
      .onGet('/cadets/')
      .reply(200, { count: 0, next: null, previous: null, results: [] })
      .onGet('/auth/me')
      .reply(403)
      .onPost('/auth/logout')
      .reply(205);

    // when / then
    expect(mod.default).toBe(mod.api);
    expect(mod.api.defaults.baseURL).toBe(mod.apiBaseUrl());
    expect(mod.isAuthenticated()).toBe(false);
    await mod.login('u', 'p');
    expect(mod.getAccessToken()).toBe('a');
    await expect(mod.listCadets({ page: 1, pageSize: 5 })).resolves.toMatchObject({ count: 0 });
    await expect(mod.getMe()).rejects.toMatchObject({ response: { status: 403 } });
    expect(logger.warn).toHaveBeenCalledTimes(1);
    await mod.logout();
    expect(mod.isAuthenticated()).toBe(false);
    expect(redirect).not.toHaveBeenCalled();
  });
});
