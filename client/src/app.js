/**
 * The minimal RGMS page: login form, paged cadet list, live notification toasts.
 * Everything it needs is passed in, so the unit tests can mount it on a jsdom document with
 * a fake client and a fake socket factory.
 */
import { LOGIN_ROUTE } from './utils/api.js';

export const DEFAULT_PAGE_SIZE = 10;
export const TOAST_LIFETIME_MS = 10000;

export function loginErrorMessage(error) {
  if (error?.code === 'NETWORK_ERROR') return 'Cannot reach the server. Check your connection.';
  const status = error?.response?.status;
  const body = error?.response?.data;
  if (status === 429) return 'Too many login attempts. Please wait and try again.';
  const detail = body?.detail ?? body?.message ?? body?.error?.message;
  if (typeof detail === 'string' && detail) return detail;
  if (status === 400 || status === 401) return 'Invalid username or password.';
  return 'Login failed. Please try again.';
}

export function cadetName(cadet) {
  const parts = [cadet.rank, cadet.first_name, cadet.middle_name, cadet.last_name, cadet.suffix_name]
    .filter((part) => typeof part === 'string' && part.trim() !== '');
  if (parts.length) return parts.join(' ');
  return cadet.full_name ?? cadet.name ?? '';
}

export function mountApp({
  doc = document,
  win = window,
  client,
  createSocket,
  pageSize,
  toastLifetime = TOAST_LIFETIME_MS,
}) {
  const $ = (id) => doc.getElementById(id);
  const params = new URLSearchParams(win.location.search);
  const size = pageSize ?? (Number.parseInt(params.get('page_size') ?? '', 10) || DEFAULT_PAGE_SIZE);
  const state = { page: 1, socket: null, authRetryUsed: false };

  function setText(el, text) {
    el.textContent = text;
    el.hidden = !text;
  }

  function setWsStatus(status) {
    const el = $('ws-status');
    el.dataset.status = status;
    el.textContent = status === 'open' ? 'live' : status === 'idle' ? 'offline' : status.replace('_', ' ');
  }

  function showToast(notification) {
    const toast = doc.createElement('div');
    toast.className = 'toast';
    toast.setAttribute('role', 'status');
    toast.dataset.testid = 'toast';
    toast.dataset.notificationId = String(notification?.id ?? '');
    toast.dataset.priority = String(notification?.priority ?? 'normal');
    toast.textContent = String(notification?.message ?? '');
    const dismiss = () => toast.remove();
    toast.addEventListener('click', dismiss);
    $('toasts').append(toast);
    if (toastLifetime > 0) win.setTimeout(dismiss, toastLifetime);
    return toast;
  }

  function connectNotifications() {
    if (state.socket) return;
    state.socket = createSocket('notifications', {
      token: () => client.getAccessToken(),
      handlers: { notification: showToast },
      onOpen: () => {
        state.authRetryUsed = false;
        setWsStatus('open');
      },
      onClose: ({ willReconnect }) => setWsStatus(willReconnect ? 'reconnecting' : 'closed'),
      onAuthRefused: () => {
        setWsStatus('auth_refused');
        // The access token may simply have expired: an authenticated REST call refreshes it
        // (or sends the user to login). Retry the socket once per successful connection.
        if (state.authRetryUsed) return;
        state.authRetryUsed = true;
        client
          .getMe()
          .then(() => state.socket?.open())
          .catch(() => {});
      },
    });
    setWsStatus('connecting');
  }

  function disconnectNotifications() {
    state.socket?.close();
    state.socket = null;
    setWsStatus('idle');
  }

  function renderCadets(data) {
    const rows = $('cadet-rows');
    rows.replaceChildren(
      ...(data.results ?? []).map((cadet) => {
        const tr = doc.createElement('tr');
        tr.dataset.testid = 'cadet-row';
        tr.dataset.cadetId = String(cadet.id);
        for (const value of [
          cadet.id,
          cadet.student_id,
          cadetName(cadet),
          cadet.company,
          cadet.platoon,
          cadet.status,
        ]) {
          const td = doc.createElement('td');
          td.textContent = value == null ? '' : String(value);
          tr.append(td);
        }
        return tr;
      }),
    );
    const pages = Math.max(1, Math.ceil((data.count ?? 0) / size));
    const pageEl = $('cadets-page');
    pageEl.dataset.page = String(state.page);
    pageEl.textContent = `Page ${state.page} of ${pages}`;
    const countEl = $('cadets-count');
    countEl.dataset.count = String(data.count ?? 0);
    countEl.textContent = `${data.count ?? 0} cadets`;
    $('cadets-prev').disabled = !data.previous;
    $('cadets-next').disabled = !data.next;
  }

  async function loadCadets(page) {
    setText($('cadets-error'), '');
    $('cadets-prev').disabled = true;
    $('cadets-next').disabled = true;
    try {
      const data = await client.listCadets({ page, pageSize: size });
      state.page = page;
      renderCadets(data);
    } catch (error) {
      const status = error?.response?.status;
      if (status === 401) return; // the client has already sent the user to login
      setText(
        $('cadets-error'),
        error?.code === 'NETWORK_ERROR'
          ? 'Cannot reach the server.'
          : status === 403
            ? 'You do not have access to the cadet list.'
            : 'Could not load cadets.',
      );
    }
  }

  function showLogin(reason) {
    disconnectNotifications();
    $('cadets-view').hidden = true;
    $('logout-button').hidden = true;
    setText($('current-user'), '');
    $('login-view').hidden = false;
    setText(
      $('login-notice'),
      reason === 'session-expired' ? 'Your session has expired. Please log in again.' : '',
    );
    if (win.location.pathname !== LOGIN_ROUTE) {
      win.history.replaceState(null, '', `${LOGIN_ROUTE}${win.location.search}`);
    }
  }

  function showCadets(user) {
    $('login-view').hidden = true;
    $('cadets-view').hidden = false;
    $('logout-button').hidden = false;
    if (user?.username) setText($('current-user'), user.username);
    if (win.location.pathname === LOGIN_ROUTE) {
      const keep = new URLSearchParams(win.location.search);
      keep.delete('reason');
      const query = keep.toString();
      win.history.replaceState(null, '', `/${query ? `?${query}` : ''}`);
    }
    connectNotifications();
    return loadCadets(1);
  }

  $('login-form').addEventListener('submit', async (event) => {
    event.preventDefault();
    const submit = $('login-submit');
    setText($('login-error'), '');
    submit.disabled = true;
    try {
      const { user } = await client.login($('username').value.trim(), $('password').value);
      $('password').value = '';
      await showCadets(user);
    } catch (error) {
      setText($('login-error'), loginErrorMessage(error));
    } finally {
      submit.disabled = false;
    }
  });

  $('cadets-prev').addEventListener('click', () => loadCadets(Math.max(1, state.page - 1)));
  $('cadets-next').addEventListener('click', () => loadCadets(state.page + 1));

  $('logout-button').addEventListener('click', async () => {
    try {
      await client.logout();
    } catch {
      // The tokens are cleared locally whatever the server said.
    }
    showLogin('logged-out');
  });

  const ready =
    win.location.pathname === LOGIN_ROUTE || !client.isAuthenticated()
      ? Promise.resolve(showLogin(params.get('reason')))
      : showCadets(null).then(() =>
          client
            .getMe()
            .then((user) => setText($('current-user'), user?.username ?? ''))
            .catch(() => {}),
        );

  return { ready, showToast, loadCadets, state };
}
