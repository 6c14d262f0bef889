/**
 * RGMS REST client.
 *
 * An axios instance rooted at `${VITE_API_URL}/api/v1` with:
 *  - the bearer access token from storage attached to every request;
 *  - on a 401, ONE refresh (`POST /auth/refresh` with `{refresh}`, tokens rotate) shared by
 *    every request that failed at the same time, then one retry of the original request;
 *    when the refresh fails (or the retried request is refused again) the tokens are cleared
 *    and the user is sent to the login route;
 *  - 403 logged as "access denied" and >= 500 logged as "server error";
 *  - network failures (no response at all) rejected as `{status: 0, code: 'NETWORK_ERROR', message}`.
 *
 * `createApiClient()` builds an isolated client (tests use it with their own storage, logger
 * and redirect); the module also exports a default client and helpers bound to it.
 */
import axios from 'axios';

export const ACCESS_TOKEN_KEY = 'rgms.accessToken';
export const REFRESH_TOKEN_KEY = 'rgms.refreshToken';
export const LOGIN_ROUTE = '/login';
export const NETWORK_ERROR = 'NETWORK_ERROR';

/** `${VITE_API_URL}/api/v1`, tolerating a trailing slash or an unset variable (same origin). */
export function apiBaseUrl(apiUrl = import.meta.env.VITE_API_URL) {
  const root = (apiUrl ?? '').trim().replace(/\/+$/, '');
  return `${root}/api/v1`;
}

/** Sends the browser to the login route, saying why; does nothing when already there. */
export function defaultRedirectToLogin({ reason = 'session-expired' } = {}) {
  if (typeof window === 'undefined') return;
  if (window.location.pathname === LOGIN_ROUTE) return;
  window.location.assign(`${LOGIN_ROUTE}?reason=${encodeURIComponent(reason)}`);
}

function defaultStorage() {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    // Storage can be disabled (privacy modes); the client then works without persistence.
    return null;
  }
}

/** Token persistence over a Web Storage-like object (getItem/setItem/removeItem). */
export function createTokenStore(storage = defaultStorage()) {
  const memory = new Map();
  const backend = storage ?? {
    getItem: (key) => (memory.has(key) ? memory.get(key) : null),
    setItem: (key, value) => memory.set(key, String(value)),
    removeItem: (key) => memory.delete(key),
  };
  return {
    getAccess: () => backend.getItem(ACCESS_TOKEN_KEY),
    getRefresh: () => backend.getItem(REFRESH_TOKEN_KEY),
    set({ access, refresh }) {
      if (access) backend.setItem(ACCESS_TOKEN_KEY, access);
      if (refresh) backend.setItem(REFRESH_TOKEN_KEY, refresh);
    },
    clear() {
      backend.removeItem(ACCESS_TOKEN_KEY);
      backend.removeItem(REFRESH_TOKEN_KEY);
    },
  };
}

/** The rejection value for a request that got no HTTP response at all. */
export function networkError(error) {
  const shaped = {
    status: 0,
    code: NETWORK_ERROR,
    message: error?.message || 'Network error: the server could not be reached',
  };
  // Keep the original error for debugging without changing the documented shape.
  Object.defineProperty(shaped, 'cause', { value: error, enumerable: false });
  return shaped;
}

function describe(config) {
  return `${(config?.method ?? 'get').toUpperCase()} ${config?.url ?? ''}`;
}

export function createApiClient({
  baseURL = apiBaseUrl(),
  storage = defaultStorage(),
  redirectToLogin = defaultRedirectToLogin,
  logger = console,
  timeout = 15000,
  adapter,
} = {}) {
  const tokens = createTokenStore(storage);
  const hooks = { redirectToLogin, logger };
  const http = axios.create({
    baseURL,
    timeout,
    headers: { Accept: 'application/json' },
    ...(adapter ? { adapter } : {}),
  });

  let refreshInFlight = null;

  function sessionExpired(reason) {
    tokens.clear();
    hooks.redirectToLogin({ reason });
  }

  /** One refresh at a time: concurrent 401s wait for the same promise. */
  function refreshAccessToken() {
    if (!refreshInFlight) {
      refreshInFlight = (async () => {
        const refresh = tokens.getRefresh();
        if (!refresh) throw new Error('No refresh token stored');
        const { data } = await http.post(
          '/auth/refresh',
          { refresh },
          { skipAuth: true, skipAuthRefresh: true },
        );
        if (!data?.access) throw new Error('Refresh response carried no access token');
        // Refresh tokens rotate: keep the new one (or the old one if the server sent none).
        tokens.set({ access: data.access, refresh: data.refresh ?? refresh });
        return data.access;
      })()
        .catch((error) => {
          sessionExpired('session-expired');
          throw error;
        })
        .finally(() => {
          refreshInFlight = null;
        });
    }
    return refreshInFlight;
  }

  http.interceptors.request.use((config) => {
    if (config.skipAuth) return config;
    const access = tokens.getAccess();
    if (access) config.headers.set('Authorization', `Bearer ${access}`);
    return config;
  });

  http.interceptors.response.use(
    (response) => response,
    async (error) => {
      if (axios.isCancel(error)) return Promise.reject(error);
      if (!error.response) return Promise.reject(networkError(error));

      const { config, response } = error;
      const { status } = response;

      if (status === 401 && !config?.skipAuthRefresh) {
        if (config._authRetried) {
          // The fresh token was refused too: do not refresh again, the session is gone.
          sessionExpired('session-expired');
          return Promise.reject(error);
        }
        const sentWith = config.headers?.get?.('Authorization');
        const current = tokens.getAccess();
        const alreadyRefreshed = current && sentWith && sentWith !== `Bearer ${current}`;
        if (!alreadyRefreshed) {
          // (When another request refreshed while this one was in flight, just retry.)
          try {
            await refreshAccessToken();
          } catch {
            return Promise.reject(error);
          }
        }
        config._authRetried = true;
        return http(config);
      }

      if (status === 403) {
        hooks.logger.warn(`[api] access denied: ${describe(config)}`, response.data);
      } else if (status >= 500) {
        hooks.logger.error(`[api] server error ${status}: ${describe(config)}`, response.data);
      }
      return Promise.reject(error);
    },
  );

  async function login(username, password) {
    const { data } = await http.post(
      '/auth/login',
      { username, password },
      { skipAuth: true, skipAuthRefresh: true },
    );
    tokens.set({ access: data.access, refresh: data.refresh });
    return data;
  }

  async function logout() {
    const refresh = tokens.getRefresh();
    try {
      if (refresh) await http.post('/auth/logout', { refresh }, { skipAuthRefresh: true });
    } finally {
      tokens.clear();
    }
  }

  async function listCadets({ page = 1, pageSize = 20 } = {}) {
    const { data } = await http.get('/cadets/', { params: { page, page_size: pageSize } });
    return data;
  }

  async function getMe() {
    const { data } = await http.get('/auth/me');
    return data;
  }

  return {
    http,
    tokens,
    login,
    logout,
    listCadets,
    getMe,
    isAuthenticated: () => Boolean(tokens.getAccess()),
    getAccessToken: () => tokens.getAccess(),
    setRedirectToLogin(fn) {
      hooks.redirectToLogin = fn;
    },
    setLogger(logger) {
      hooks.logger = logger;
    },
  };
}

/** The application's client, configured from the Vite environment. */
export const client = createApiClient();
export const api = client.http;
export default api;

export const login = (username, password) => client.login(username, password);
export const logout = () => client.logout();
export const listCadets = (options) => client.listCadets(options);
export const getMe = () => client.getMe();
export const getAccessToken = () => client.getAccessToken();
export const isAuthenticated = () => client.isAuthenticated();
export const setRedirectToLogin = (fn) => client.setRedirectToLogin(fn);
export const setLogger = (logger) => client.setLogger(logger);
