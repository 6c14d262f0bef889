import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import {
  AUTH_REFUSED_CLOSE_CODES,
  DEFAULT_BACKOFF,
  backoffDelay,
  buildSocketUrl,
  createSocket,
  parseEnvelope,
} from '../../src/utils/ws.js';

/** A WebSocket stand-in the test drives from the "server" side. */
class FakeWebSocket {
  static CONNECTING = 0;
  static OPEN = 1;
  static CLOSING = 2;
  static CLOSED = 3;
  static instances = [];

  constructor(url) {
    this.url = url;
    this.readyState = FakeWebSocket.CONNECTING;
    this.sent = [];
    this.closedWith = null;
    FakeWebSocket.instances.push(this);
  }

  send(data) {
    this.sent.push(JSON.parse(data));
  }

  close(code, reason) {
    this.closedWith = { code, reason };
    this.readyState = FakeWebSocket.CLOSING;
  }

  // server side
  serverOpen() {
    this.readyState = FakeWebSocket.OPEN;
    this.onopen?.({ type: 'open' });
  }

  serverSend(frame) {
    this.onmessage?.({ data: typeof frame === 'string' ? frame : JSON.stringify(frame) });
  }

  serverSendRaw(data) {
    this.onmessage?.({ data });
  }

  serverError() {
    this.onerror?.({ type: 'error' });
  }

  serverClose(code = 1006, reason = '') {
    this.readyState = FakeWebSocket.CLOSED;
    this.onclose?.({ code, reason, wasClean: code === 1000 });
  }
}

const latest = () => FakeWebSocket.instances.at(-1);

function open(path = 'notifications', options = {}) {
  return createSocket(path, {
    baseUrl: 'ws://127.0.0.1:8001',
    token: 'tok',
    WebSocketImpl: FakeWebSocket,
    pingInterval: 0,
    random: () => 0, // no jitter unless a test asks for it
    logger: { warn: vi.fn() },
    ...options,
  });
}

const notification = {
  type: 'notification',
  data: { id: 7, message: 'Grade updated', timestamp: '2026-01-01T00:00:00Z', priority: 'high', user_id: 3 },
  timestamp: '2026-01-01T00:00:00Z',
};

beforeEach(() => {
  FakeWebSocket.instances = [];
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('buildSocketUrl', () => {
  it.each([
    ['notifications', 'ws://h:8001/ws/notifications/?token=abc'],
    ['/ws/notifications/', 'ws://h:8001/ws/notifications/?token=abc'],
    ['chat/12', 'ws://h:8001/ws/chat/12/?token=abc'],
    ['/updates/', 'ws://h:8001/ws/updates/?token=abc'],
  ])('%s -> %s', (path, url) => {
    expect(buildSocketUrl(path, { baseUrl: 'ws://h:8001/', token: 'abc' })).toBe(url);
  });

  it('encodes the token and omits the query without one', () => {
    expect(buildSocketUrl('notifications', { baseUrl: 'wss://x', token: 'a+b/c=' })).toBe(
      'wss://x/ws/notifications/?token=a%2Bb%2Fc%3D',
    );
    expect(buildSocketUrl('notifications', { baseUrl: 'wss://x' })).toBe('wss://x/ws/notifications/');
  });

  it('defaults to VITE_WS_URL, or a relative path when unset', () => {
    const root = (import.meta.env.VITE_WS_URL ?? '').replace(/\/+$/, '');
    expect(buildSocketUrl('updates')).toBe(`${root}/ws/updates/`);
    expect(buildSocketUrl('updates', { baseUrl: undefined })).toBe(`${root}/ws/updates/`);
    expect(buildSocketUrl('updates', { baseUrl: null })).toBe('/ws/updates/');
  });
});

describe('backoffDelay', () => {
  it('doubles from the base delay without jitter', () => {
    const delays = [0, 1, 2, 3, 4].map((n) => backoffDelay(n, { random: () => 0 }));
    expect(delays).toEqual([1000, 2000, 4000, 8000, 16000]);
  });

  it('is capped at maxDelay', () => {
    expect(backoffDelay(5, { random: () => 0 })).toBe(DEFAULT_BACKOFF.maxDelay);
    expect(backoffDelay(50, { random: () => 0 })).toBe(30000);
    expect(backoffDelay(3, { baseDelay: 100, maxDelay: 500, random: () => 0 })).toBe(500);
  });

  it('applies jitter within [capped * (1 - jitter), capped]', () => {
    expect(backoffDelay(2, { random: () => 1 })).toBe(2000);
    expect(backoffDelay(2, { random: () => 0.5 })).toBe(3000);
    expect(backoffDelay(20, { random: () => 1, jitter: 0.2 })).toBe(24000);
    for (let i = 0; i < 200; i += 1) {
      const delay = backoffDelay(i % 10);
      const capped = Math.min(30000, 1000 * 2 ** (i % 10));
      expect(delay).toBeGreaterThanOrEqual(capped / 2);
      expect(delay).toBeLessThanOrEqual(capped);
    }
  });
});

describe('parseEnvelope', () => {
  it('parses a server envelope', () => {
    expect(parseEnvelope(JSON.stringify(notification))).toEqual({ ok: true, message: notification });
  });

  it('fills missing data and timestamp with null', () => {
    expect(parseEnvelope('{"type":"pong"}')).toEqual({
      ok: true,
      message: { type: 'pong', data: null, timestamp: null },
    });
  });

  it.each([
    [new ArrayBuffer(2), 'frame is not text'],
    ['not json', 'frame is not valid JSON'],
    ['', 'frame is not valid JSON'],
    ['null', 'frame is not a JSON object'],
    ['42', 'frame is not a JSON object'],
    ['[{"type":"x"}]', 'frame is not a JSON object'],
    ['{"data":{}}', 'frame has no type'],
    ['{"type":""}', 'frame has no type'],
    ['{"type":5}', 'frame has no type'],
  ])('rejects %s: %s', (raw, reason) => {
    expect(parseEnvelope(raw)).toEqual({ ok: false, reason });
  });
});

describe('createSocket: connection and dispatch', () => {
  it('connects to /ws/<path>/ with the token and reports open', () => {
    // given
    const onOpen = vi.fn();

    // when
    const socket = open('notifications', { onOpen });
    expect(socket.status).toBe('connecting');
    latest().serverOpen();

    // then
    expect(latest().url).toBe('ws://127.0.0.1:8001/ws/notifications/?token=tok');
    expect(onOpen).toHaveBeenCalledTimes(1);
    expect(socket.status).toBe('open');
    expect(socket.socket).toBe(latest());
  });

  it('reads a token function on every connect', () => {
    let token = 'first';
    open('notifications', { token: () => token });
    latest().serverOpen();
    token = 'second';

    latest().serverClose(1006);
    vi.advanceTimersByTime(1000);

    expect(FakeWebSocket.instances.map((ws) => ws.url)).toEqual([
      'ws://127.0.0.1:8001/ws/notifications/?token=first',
      'ws://127.0.0.1:8001/ws/notifications/?token=second',
    ]);
  });

  it('dispatches an envelope to the handlers for its type, with data and the envelope', () => {
    // given
    const onNotification = vi.fn();
    const onChat = vi.fn();
    open('notifications', { handlers: { notification: onNotification, chat_message: onChat } });
    latest().serverOpen();

    // when
    latest().serverSend(notification);

    // then
    expect(onNotification).toHaveBeenCalledWith(notification.data, notification);
    expect(onChat).not.toHaveBeenCalled();
  });

  it('supports on/off, several handlers per type and the * wildcard', () => {
    const socket = open();
    latest().serverOpen();
    const a = vi.fn();
    const b = vi.fn();
    const all = vi.fn();
    const offA = socket.on('notification', a);
    socket.on('notification', b);
    socket.on('*', all);

    latest().serverSend(notification);
    offA();
    socket.off('notification', b);
    socket.off('never-registered', b);
    latest().serverSend(notification);
    latest().serverSend({ type: 'pong' });

    expect(a).toHaveBeenCalledTimes(1);
    expect(b).toHaveBeenCalledTimes(1);
    expect(all).toHaveBeenCalledTimes(3);
  });

  it('ignores messages of a type nobody handles', () => {
    const onError = vi.fn();
    open('notifications', { onError });
    latest().serverOpen();

    latest().serverSend({ type: 'unknown', data: 1, timestamp: 't' });

    expect(onError).not.toHaveBeenCalled();
  });

  it('reports a malformed frame, keeps the socket and keeps dispatching', () => {
    // given
    const onError = vi.fn();
    const logger = { warn: vi.fn() };
    const onNotification = vi.fn();
    const socket = open('notifications', { onError, logger, handlers: { notification: onNotification } });
    latest().serverOpen();

    // when
    latest().serverSendRaw('{oops');
    latest().serverSendRaw(new Blob(['x']));
    latest().serverSend({ no: 'type' });
    latest().serverSend(notification);

    // then
    expect(onError.mock.calls.map(([d]) => [d.kind, d.reason])).toEqual([
      ['malformed', 'frame is not valid JSON'],
      ['malformed', 'frame is not text'],
      ['malformed', 'frame has no type'],
    ]);
    expect(onError.mock.calls[0][0].raw).toBe('{oops');
    expect(logger.warn).toHaveBeenCalledTimes(3);
    expect(onNotification).toHaveBeenCalledTimes(1);
    expect(socket.status).toBe('open');
    expect(latest().closedWith).toBeNull();
  });

  it('reports a handler that throws and still runs the other handlers', () => {
    const onError = vi.fn();
    const good = vi.fn();
    const socket = open('notifications', { onError });
    socket.on('notification', () => {
      throw new Error('render failed');
    });
    socket.on('notification', good);
    socket.on('pong', () => {
      throw 'plain string'; // eslint-disable-line no-throw-literal
    });
    latest().serverOpen();

    latest().serverSend(notification);
    latest().serverSend({ type: 'pong' });

    expect(good).toHaveBeenCalledTimes(1);
    expect(onError.mock.calls.map(([d]) => [d.kind, d.reason])).toEqual([
      ['handler', 'render failed'],
      ['handler', 'plain string'],
    ]);
  });

  it('reports socket error events', () => {
    const onError = vi.fn();
    open('notifications', { onError });

    latest().serverError();

    expect(onError).toHaveBeenCalledWith(expect.objectContaining({ kind: 'socket' }));
  });

  it('works with the default no-op callbacks and console logger', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const socket = createSocket('notifications', {
      baseUrl: 'ws://h',
      WebSocketImpl: FakeWebSocket,
      pingInterval: 0,
      random: () => 0,
    });
    latest().serverOpen();
    latest().serverSendRaw('bad');
    latest().serverError();
    latest().serverClose(4401);
    socket.open();
    latest().serverClose(1006);
    socket.close();

    expect(latest().url).toBe('ws://h/ws/notifications/');
    expect(warn).toHaveBeenCalledTimes(1);
  });

  it('does not connect until open() when autoConnect is false', () => {
    const socket = open('notifications', { autoConnect: false });
    expect(FakeWebSocket.instances).toHaveLength(0);
    expect(socket.status).toBe('idle');

    socket.open();
    socket.open(); // already connecting: no second socket

    expect(FakeWebSocket.instances).toHaveLength(1);
  });

  it('uses the global WebSocket by default', () => {
    vi.stubGlobal('WebSocket', FakeWebSocket);
    try {
      createSocket('updates', { baseUrl: 'ws://h', token: 't', pingInterval: 0 });
      expect(latest().url).toBe('ws://h/ws/updates/?token=t');
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('createSocket: send and keepalive', () => {
  it('sends {type, data} only while open', () => {
    const socket = open();

    expect(socket.send('ping')).toBe(false);
    latest().serverOpen();
    expect(socket.send('ping')).toBe(true);
    expect(socket.send('chat_message', { text: 'hi' })).toBe(true);

    expect(latest().sent).toEqual([{ type: 'ping' }, { type: 'chat_message', data: { text: 'hi' } }]);
    socket.close();
    expect(socket.send('ping')).toBe(false);
  });

  it('treats readyState 1 as open when the implementation has no OPEN constant', () => {
    class Bare extends FakeWebSocket {}
    Object.defineProperty(Bare, 'OPEN', { value: undefined });
    const socket = open('notifications', { WebSocketImpl: Bare });
    latest().serverOpen();

    expect(socket.send('ping')).toBe(true);
  });

  it('sends {type: "ping"} every pingInterval while open, and stops when closed', () => {
    // given
    const socket = open('notifications', { pingInterval: 25000 });
    vi.advanceTimersByTime(60000);
    expect(latest().sent).toEqual([]); // not open yet
    latest().serverOpen();

    // when
    vi.advanceTimersByTime(25000 * 3);

    // then
    expect(latest().sent).toEqual([{ type: 'ping' }, { type: 'ping' }, { type: 'ping' }]);
    const first = latest();
    first.serverClose(1006);
    vi.advanceTimersByTime(1000); // reconnect
    vi.advanceTimersByTime(100000); // new socket never opened: no pings anywhere
    expect(first.sent).toHaveLength(3);
    expect(latest().sent).toEqual([]);
    socket.close();
    expect(vi.getTimerCount()).toBe(0);
  });

  it('does not stack ping timers across reconnects', () => {
    open('notifications', { pingInterval: 1000 });
    latest().serverOpen();
    latest().serverOpen(); // a duplicated open event must not double the keepalive

    vi.advanceTimersByTime(1000);

    expect(latest().sent).toHaveLength(1);
  });
});

describe('createSocket: reconnect', () => {
  it('reconnects with exponential backoff on unexpected closes, capped at maxDelay', () => {
    // given
    const onClose = vi.fn();
    const socket = open('notifications', { onClose, baseDelay: 1000, maxDelay: 8000 });
    const expected = [1000, 2000, 4000, 8000, 8000, 8000];

    // when / then: each failed attempt waits exactly the next delay
    expected.forEach((delay, i) => {
      expect(FakeWebSocket.instances).toHaveLength(i + 1);
      latest().serverClose(1006);
      expect(socket.status).toBe('reconnecting');
      expect(onClose).toHaveBeenLastCalledWith({ code: 1006, reason: '', willReconnect: true, delay });
      vi.advanceTimersByTime(delay - 1);
      expect(FakeWebSocket.instances).toHaveLength(i + 1);
      vi.advanceTimersByTime(1);
      expect(FakeWebSocket.instances).toHaveLength(i + 2);
      expect(socket.attempt).toBe(i + 1);
    });
  });

  it('applies jitter to the reconnect delay', () => {
    const onClose = vi.fn();
    open('notifications', { onClose, random: () => 0.5, jitter: 0.5 });

    latest().serverClose(1011);
    vi.advanceTimersByTime(749);
    expect(FakeWebSocket.instances).toHaveLength(1);
    vi.advanceTimersByTime(1);

    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(onClose.mock.calls[0][0].delay).toBe(750);
  });

  it('resets the backoff after a successful open', () => {
    const onClose = vi.fn();
    open('notifications', { onClose });
    latest().serverClose(1006);
    vi.advanceTimersByTime(1000);
    latest().serverClose(1006);
    vi.advanceTimersByTime(2000);

    latest().serverOpen();
    latest().serverClose(1006);

    expect(onClose.mock.calls.map(([c]) => c.delay)).toEqual([1000, 2000, 1000]);
  });

  it('reconnects after a normal server-side close too (e.g. a daphne restart)', () => {
    open();
    latest().serverOpen();

    latest().serverClose(1000);
    vi.advanceTimersByTime(1000);

    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('does not reconnect after a deliberate close()', () => {
    // given
    const onClose = vi.fn();
    const socket = open('notifications', { onClose });
    latest().serverOpen();

    // when
    socket.close();
    latest().serverClose(1000); // the close event the browser fires afterwards
    vi.advanceTimersByTime(120000);

    // then
    expect(latest().closedWith).toEqual({ code: 1000, reason: 'client closed' });
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(socket.status).toBe('closed');
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(onClose).toHaveBeenCalledWith({ code: 1000, reason: 'client closed', willReconnect: false });
  });

  it('cancels a pending reconnect when closed deliberately', () => {
    const socket = open();
    latest().serverClose(1006);

    socket.close(4000, 'bye');
    vi.advanceTimersByTime(120000);

    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(socket.status).toBe('closed');
    expect(vi.getTimerCount()).toBe(0);
  });

  it.each(AUTH_REFUSED_CLOSE_CODES)('does not reconnect when the server refuses auth with %i', (code) => {
    // given
    const onAuthRefused = vi.fn();
    const onClose = vi.fn();
    const socket = open('notifications', { onAuthRefused, onClose });

    // when
    latest().serverClose(code, 'unauthorized');
    vi.advanceTimersByTime(120000);

    // then
    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(socket.status).toBe('auth_refused');
    expect(onAuthRefused).toHaveBeenCalledWith(expect.objectContaining({ code }));
    expect(onClose).toHaveBeenCalledWith({ code, reason: 'unauthorized', willReconnect: false });
  });

  it('can be reopened after an auth refusal, e.g. with a refreshed token', () => {
    let token = 'expired';
    const socket = open('notifications', { token: () => token });
    latest().serverClose(4401);
    token = 'fresh';

    socket.open();
    latest().serverOpen();

    expect(latest().url).toMatch(/token=fresh$/);
    expect(socket.status).toBe('open');
  });

  it('can be reopened after a deliberate close', () => {
    const socket = open();
    latest().serverOpen();
    socket.close();

    socket.open();

    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(socket.status).toBe('connecting');
  });

  it('open() during a pending reconnect connects at once, without a second socket later', () => {
    const socket = open();
    latest().serverClose(1006);

    socket.open();
    vi.advanceTimersByTime(120000);

    expect(FakeWebSocket.instances).toHaveLength(2);
    expect(socket.attempt).toBe(0);
  });

  it('ignores events from a socket it has replaced', () => {
    const onNotification = vi.fn();
    const onClose = vi.fn();
    const socket = open('notifications', { onClose, handlers: { notification: onNotification } });
    const old = latest();
    old.serverOpen();
    socket.close();
    socket.open();

    old.serverSend(notification);
    old.serverError();
    old.serverOpen();
    old.serverClose(1006);

    expect(onNotification).not.toHaveBeenCalled();
    expect(onClose).toHaveBeenCalledTimes(1);
    expect(socket.status).toBe('connecting');
    expect(FakeWebSocket.instances).toHaveLength(2);
  });

  it('stops after maxRetries attempts', () => {
    const onClose = vi.fn();
    const socket = open('notifications', { onClose, maxRetries: 2 });

    latest().serverClose(1006);
    vi.advanceTimersByTime(1000);
    latest().serverClose(1006);
    vi.advanceTimersByTime(2000);
    latest().serverClose(1006);
    vi.advanceTimersByTime(120000);

    expect(FakeWebSocket.instances).toHaveLength(3);
    expect(socket.status).toBe('closed');
    expect(onClose).toHaveBeenLastCalledWith({ code: 1006, reason: '', willReconnect: false });
  });

  it('does not reconnect at all with reconnect: false', () => {
    const socket = open('notifications', { reconnect: false });

    latest().serverClose(1006);
    vi.advanceTimersByTime(120000);

    expect(FakeWebSocket.instances).toHaveLength(1);
    expect(socket.status).toBe('closed');
  });

  it('handles a close event without code or reason', () => {
    const onClose = vi.fn();
    open('notifications', { onClose });

    latest().onclose(undefined);

    expect(onClose).toHaveBeenCalledWith({ code: undefined, reason: '', willReconnect: true, delay: 1000 });
  });
});
