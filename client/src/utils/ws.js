/**
 * RGMS websocket helper.
 *
 * Connects to `${VITE_WS_URL}/ws/<path>/?token=<access>`, parses the server envelope
 * `{type, data, timestamp}` and dispatches each message to the handlers registered for its
 * type (plus `'*'` handlers, which see every message). Malformed frames are reported, never
 * thrown. Lost connections are retried with capped exponential backoff and jitter; there is
 * no retry after a deliberate `close()` or when the server refuses the token (close codes
 * 4401 / 4403). Optional `{type: 'ping'}` keepalives.
 */

export const AUTH_REFUSED_CLOSE_CODES = Object.freeze([4401, 4403]);
export const NORMAL_CLOSURE = 1000;

export const DEFAULT_BACKOFF = Object.freeze({
  baseDelay: 1000,
  maxDelay: 30000,
  factor: 2,
  jitter: 0.5,
});

/** `${base}/ws/<path>/?token=...`; path may be given as `notifications`, `/ws/chat/3/`, ... */
export function buildSocketUrl(path, { baseUrl = import.meta.env.VITE_WS_URL, token } = {}) {
  const root = (baseUrl ?? '').trim().replace(/\/+$/, '');
  const clean = String(path)
    .replace(/^\/+/, '')
    .replace(/^ws\//, '')
    .replace(/\/+$/, '');
  const url = `${root}/ws/${clean}/`;
  return token ? `${url}?token=${encodeURIComponent(token)}` : url;
}

/**
 * Delay before reconnect attempt number `attempt` (0-based): base * factor^attempt, capped at
 * maxDelay, then reduced by up to `jitter` (a fraction) at random so clients do not reconnect
 * in lockstep. The result is always within [capped * (1 - jitter), capped].
 */
export function backoffDelay(attempt, options = {}) {
  const { baseDelay, maxDelay, factor, jitter } = { ...DEFAULT_BACKOFF, ...options };
  const random = options.random ?? Math.random;
  const capped = Math.min(maxDelay, baseDelay * factor ** attempt);
  return Math.round(capped * (1 - jitter * random()));
}

/**
 * Parses one frame. Returns `{ok: true, message: {type, data, timestamp}}` or
 * `{ok: false, reason}`; never throws.
 */
export function parseEnvelope(raw) {
  if (typeof raw !== 'string') return { ok: false, reason: 'frame is not text' };
  let value;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ok: false, reason: 'frame is not valid JSON' };
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { ok: false, reason: 'frame is not a JSON object' };
  }
  if (typeof value.type !== 'string' || value.type === '') {
    return { ok: false, reason: 'frame has no type' };
  }
  return {
    ok: true,
    message: {
      type: value.type,
      data: value.data === undefined ? null : value.data,
      timestamp: value.timestamp ?? null,
    },
  };
}

/**
 * Opens a managed socket. Options:
 *  - baseUrl: defaults to VITE_WS_URL
 *  - token: a string or a function returning the current access token (read on every connect,
 *    so reconnects pick up a refreshed token)
 *  - handlers: `{type: fn}`; more with `on(type, fn)`; `'*'` receives every message
 *  - reconnect (true), maxRetries (Infinity), baseDelay / maxDelay / factor / jitter / random
 *  - pingInterval: ms between `{type: 'ping'}` keepalives; 0 disables (default 25000)
 *  - onOpen(event), onClose({code, reason, willReconnect, delay}), onAuthRefused(event),
 *    onError({kind, reason, raw, error}) for malformed frames, handler errors and socket errors
 *  - WebSocketImpl: the WebSocket class (a fake in tests)
 *  - autoConnect (true)
 */
export function createSocket(path, options = {}) {
  const {
    baseUrl = import.meta.env.VITE_WS_URL,
    token = null,
    handlers = {},
    reconnect = true,
    maxRetries = Infinity,
    pingInterval = 25000,
    onOpen = () => {},
    onClose = () => {},
    onAuthRefused = () => {},
    onError = () => {},
    logger = console,
    WebSocketImpl = globalThis.WebSocket,
    autoConnect = true,
  } = options;
  const backoff = {
    baseDelay: options.baseDelay ?? DEFAULT_BACKOFF.baseDelay,
    maxDelay: options.maxDelay ?? DEFAULT_BACKOFF.maxDelay,
    factor: options.factor ?? DEFAULT_BACKOFF.factor,
    jitter: options.jitter ?? DEFAULT_BACKOFF.jitter,
    random: options.random ?? Math.random,
  };

  const listeners = new Map();
  let socket = null;
  let status = 'idle'; // idle | connecting | open | reconnecting | closed | auth_refused
  let attempt = 0;
  let reconnectTimer = null;
  let pingTimer = null;

  function on(type, fn) {
    if (!listeners.has(type)) listeners.set(type, new Set());
    listeners.get(type).add(fn);
    return () => off(type, fn);
  }

  function off(type, fn) {
    listeners.get(type)?.delete(fn);
  }

  for (const [type, fn] of Object.entries(handlers)) on(type, fn);

  function report(detail) {
    if (detail.kind === 'malformed') logger.warn(`[ws] malformed frame: ${detail.reason}`);
    onError(detail);
  }

  function dispatch(message) {
    const targets = [...(listeners.get(message.type) ?? []), ...(listeners.get('*') ?? [])];
    for (const fn of targets) {
      try {
        fn(message.data, message);
      } catch (error) {
        report({ kind: 'handler', reason: error?.message ?? String(error), error, message });
      }
    }
  }

  function stopPing() {
    if (pingTimer !== null) clearInterval(pingTimer);
    pingTimer = null;
  }

  function startPing() {
    stopPing();
    if (pingInterval > 0) pingTimer = setInterval(() => send('ping'), pingInterval);
  }

  function currentToken() {
    return typeof token === 'function' ? token() : token;
  }

  function connect() {
    reconnectTimer = null;
    status = attempt === 0 ? 'connecting' : 'reconnecting';
    const url = buildSocketUrl(path, { baseUrl, token: currentToken() });
    const ws = new WebSocketImpl(url);
    socket = ws;

    ws.onopen = (event) => {
      if (socket !== ws) return;
      attempt = 0;
      status = 'open';
      startPing();
      onOpen(event);
    };

    ws.onmessage = (event) => {
      if (socket !== ws) return;
      const parsed = parseEnvelope(event.data);
      if (!parsed.ok) {
        report({ kind: 'malformed', reason: parsed.reason, raw: event.data });
        return;
      }
      dispatch(parsed.message);
    };

    ws.onerror = (event) => {
      if (socket !== ws) return;
      report({ kind: 'socket', reason: 'websocket error', error: event });
    };

    ws.onclose = (event) => {
      if (socket !== ws) return;
      socket = null;
      stopPing();
      const code = event?.code;
      const reason = event?.reason ?? '';

      if (AUTH_REFUSED_CLOSE_CODES.includes(code)) {
        status = 'auth_refused';
        onAuthRefused(event);
        onClose({ code, reason, willReconnect: false });
        return;
      }
      if (!reconnect || attempt >= maxRetries) {
        status = 'closed';
        onClose({ code, reason, willReconnect: false });
        return;
      }
      const delay = backoffDelay(attempt, backoff);
      attempt += 1;
      status = 'reconnecting';
      reconnectTimer = setTimeout(connect, delay);
      onClose({ code, reason, willReconnect: true, delay });
    };
  }

  function send(type, data) {
    const OPEN = WebSocketImpl?.OPEN ?? 1;
    if (!socket || socket.readyState !== OPEN) return false;
    socket.send(JSON.stringify(data === undefined ? { type } : { type, data }));
    return true;
  }

  /** Closes for good: no reconnect until `open()` is called again. */
  function close(code = NORMAL_CLOSURE, reason = 'client closed') {
    if (reconnectTimer !== null) clearTimeout(reconnectTimer);
    reconnectTimer = null;
    stopPing();
    status = 'closed';
    if (socket) {
      // Detach first: the close event that follows belongs to no live connection.
      const ws = socket;
      socket = null;
      ws.close(code, reason);
      onClose({ code, reason, willReconnect: false });
    }
  }

  /** (Re)opens after a deliberate close or an auth refusal, e.g. once the token is refreshed. */
  function open() {
    if (socket) return;
    if (reconnectTimer !== null) clearTimeout(reconnectTimer);
    attempt = 0;
    connect();
  }

  if (autoConnect) open();

  return {
    on,
    off,
    send,
    close,
    open,
    get status() {
      return status;
    },
    get attempt() {
      return attempt;
    },
    get socket() {
      return socket;
    },
  };
}
