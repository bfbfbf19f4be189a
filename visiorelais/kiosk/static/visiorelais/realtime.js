/**
 * One WebSocket per screen, as docs/realtime.md describes: snapshot, then deltas, then heartbeats.
 *
 *   import { RealtimeSocket } from "/static/visiorelais/realtime.js";
 *   const socket = new RealtimeSocket("/ws/kiosk/", {
 *     onSnapshot(msg) {},          // a fresh snapshot: replace all state with it
 *     onEvent(msg) {},             // any other frame except heartbeats, in order, already seq-checked
 *     onStatus(status, detail) {}, // "connecting" | "open" | "reconnecting" | "closed"; detail = {code, delayMs}
 *   });
 *   socket.start();
 *   socket.send({ type: "call.request", partner_id: 3 }); // false when the socket is not open (nothing queued)
 *   socket.resync();                                       // ask for a fresh snapshot
 *   socket.close();
 *
 * Contract kept here, so screens need not think about it:
 * - Reconnects with exponential backoff and jitter (0.5 s doubling to 15 s, ±30 %), forever, unless the server
 *   closes with 4001 (not authenticated) or 4003 (forbidden): then status "closed" with that code, no retry.
 *   The attempt counter resets only when a snapshot arrives, so a server that accepts then drops keeps backing off.
 * - Sends {"type": "heartbeat"} every 10 s; a socket silent for 30 s is dropped and reopened.
 * - Tracks each partner's `seq` (docs/realtime.md "Sequence numbers"): an event about a partner whose seq is more
 *   than one above the last known, or below it, sends {"type": "resync"} once and drops partner deltas until the
 *   next snapshot. The same seq twice is fine (one change can emit several events, e.g. `partner` and `call`).
 *   Events about no partner (signal, error, notice…) always pass, so signaling goes on while resyncing.
 */

export const BACKOFF_BASE_MS = 500;
export const BACKOFF_MAX_MS = 15000;
export const BACKOFF_JITTER = 0.3;
export const HEARTBEAT_INTERVAL_MS = 10000;
export const SILENCE_TIMEOUT_MS = 30000;
/** Close codes after which retrying cannot help (docs/realtime.md "Close codes"). */
export const FINAL_CLOSE_CODES = new Set([4001, 4003]);

/**
 * Delay before reconnection attempt number `attempt` (0 for the first retry): 0.5 s doubling, capped at 15 s,
 * then spread by ±30 % so that thousands of kiosks cut at once do not come back at once.
 * `random` returns a number in [0, 1) (Math.random by default; tests pass their own).
 */
export function backoffDelay(attempt, random = Math.random) {
  const base = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.max(0, attempt));
  return Math.round(base * (1 + BACKOFF_JITTER * (2 * random() - 1)));
}

/**
 * Compares an event's `seq` with the last one known for its partner.
 * Returns "apply" (next one, the same one again, or a partner not seen yet), "gap" (one or more missed) or
 * "regression" (older than what is known): both of the latter mean the client must take a fresh snapshot.
 */
export function seqCheck(known, seq) {
  if (typeof seq !== "number" || known === undefined || known === null) return "apply";
  if (seq === known || seq === known + 1) return "apply";
  return seq > known ? "gap" : "regression";
}

/**
 * The partner an event is about, or null. Covers the kiosk's `partner` and `call` events and any event that
 * names `partner_id` at its top level.
 */
export function defaultPartnerIdOf(msg) {
  if (msg.partner_id !== undefined && msg.partner_id !== null) return msg.partner_id;
  if (msg.partner && msg.partner.id !== undefined) return msg.partner.id;
  if (msg.call && msg.call.partner_id !== undefined && msg.call.partner_id !== null) return msg.call.partner_id;
  return null;
}

/**
 * Each partner's seq in a snapshot, as a Map id → seq: the kiosk's `partners` list, and a console snapshot's
 * `partner` (its seq is `partner.seq`, or the snapshot's own `seq`).
 */
export function defaultSeqsOfSnapshot(msg) {
  const seqs = new Map();
  for (const partner of Array.isArray(msg.partners) ? msg.partners : []) {
    const id = partner.id ?? partner.partner_id;
    if (id !== undefined && typeof partner.seq === "number") seqs.set(id, partner.seq);
  }
  if (msg.partner && msg.partner.id !== undefined) {
    const seq = typeof msg.partner.seq === "number" ? msg.partner.seq : msg.seq;
    if (typeof seq === "number") seqs.set(msg.partner.id, seq);
  }
  return seqs;
}

/** ws(s)://host/path for the page's own origin. */
export function socketUrl(path, loc = window.location) {
  return `${loc.protocol === "https:" ? "wss:" : "ws:"}//${loc.host}${path}`;
}

export class RealtimeSocket {
  /**
   * @param {string} path e.g. "/ws/kiosk/"
   * @param {object} handlers onSnapshot, onEvent, onStatus (all optional), and two rarely needed hooks:
   *   partnerIdOf(msg) → id | null (which partner's seq an event carries) and seqsOfSnapshot(msg) → Map id → seq.
   */
  constructor(path, handlers = {}) {
    this.path = path;
    this.handlers = handlers;
    this.partnerIdOf = handlers.partnerIdOf || defaultPartnerIdOf;
    this.seqsOfSnapshot = handlers.seqsOfSnapshot || defaultSeqsOfSnapshot;
    this.status = "closed";
    this.closeCode = null;
    this.seqs = new Map();
    this.awaitingSnapshot = true;
    this.attempt = 0;
    this.ws = null;
    this.stopped = true;
    this.retryTimer = null;
    this.heartbeatTimer = null;
    this.silenceTimer = null;
  }

  /** Opens the socket (again, after close()). */
  start() {
    this.stopped = false;
    this.closeCode = null;
    this.attempt = 0;
    if (!this.onlineListener) {
      // Back from a network cut: retry now rather than at the end of the current backoff step.
      this.onlineListener = () => this._retryNow();
      window.addEventListener("online", this.onlineListener);
    }
    this._connect("connecting");
  }

  /** Sends one JSON frame; returns false (and sends nothing) when the socket is not open. */
  send(obj) {
    if (!this.ws || this.ws.readyState !== WebSocket.OPEN) return false;
    this.ws.send(JSON.stringify(obj));
    return true;
  }

  /** Asks for a fresh snapshot (e.g. when a partner opens by the clock, which emits no event). */
  resync() {
    this.awaitingSnapshot = true;
    return this.send({ type: "resync" });
  }

  /** Closes for good: no reconnection until start() is called again. */
  close() {
    this.stopped = true;
    this._clearTimers();
    if (this.ws) {
      this._detach(this.ws);
      this.ws.close(1000);
      this.ws = null;
    }
    this._setStatus("closed", { code: 1000 });
  }

  _connect(status) {
    this._clearTimers();
    this._setStatus(status, {});
    let ws;
    try {
      ws = new WebSocket(socketUrl(this.path));
    } catch (error) {
      this._scheduleReconnect();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this._setStatus("open", {});
      this._armSilenceTimer();
      this.heartbeatTimer = setInterval(() => this.send({ type: "heartbeat" }), HEARTBEAT_INTERVAL_MS);
    };
    ws.onmessage = (event) => this._receive(event.data);
    ws.onclose = (event) => this._closed(ws, event.code);
    // An error is always followed by a close event, which is where reconnection happens.
    ws.onerror = () => {};
  }

  _receive(data) {
    this._armSilenceTimer();
    let msg;
    try {
      msg = JSON.parse(data);
    } catch (error) {
      return;
    }
    if (!msg || typeof msg !== "object" || typeof msg.type !== "string") return;
    if (msg.type === "heartbeat") return;
    if (msg.type === "snapshot") {
      this.seqs = this.seqsOfSnapshot(msg);
      this.awaitingSnapshot = false;
      this.attempt = 0;
      this._call("onSnapshot", msg);
      return;
    }
    const partnerId = this.partnerIdOf(msg);
    if (partnerId !== null && typeof msg.seq === "number") {
      if (this.awaitingSnapshot) return;
      const verdict = seqCheck(this.seqs.get(partnerId), msg.seq);
      if (verdict !== "apply") {
        this.awaitingSnapshot = true;
        this.send({ type: "resync" });
        return;
      }
      this.seqs.set(partnerId, Math.max(msg.seq, this.seqs.get(partnerId) ?? msg.seq));
    }
    this._call("onEvent", msg);
  }

  _closed(ws, code) {
    if (ws !== this.ws) return;
    this._detach(ws);
    this.ws = null;
    this._clearTimers();
    this.awaitingSnapshot = true;
    if (this.stopped) return;
    if (FINAL_CLOSE_CODES.has(code)) {
      this.stopped = true;
      this.closeCode = code;
      this._setStatus("closed", { code });
      return;
    }
    this._scheduleReconnect(code);
  }

  _retryNow() {
    if (this.stopped || this.retryTimer === null) return;
    clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this._connect("reconnecting");
  }

  _scheduleReconnect(code = null) {
    const delayMs = backoffDelay(this.attempt);
    this.attempt += 1;
    this._setStatus("reconnecting", { code, delayMs });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      if (!this.stopped) this._connect("reconnecting");
    }, delayMs);
  }

  _armSilenceTimer() {
    clearTimeout(this.silenceTimer);
    this.silenceTimer = setTimeout(() => {
      // The server went quiet (a half-open TCP connection looks exactly like this): drop it and start again.
      const ws = this.ws;
      if (!ws) return;
      this._detach(ws);
      this.ws = null;
      try {
        ws.close(4000);
      } catch (error) {
        // Already closing.
      }
      this._clearTimers();
      this.awaitingSnapshot = true;
      if (!this.stopped) this._scheduleReconnect();
    }, SILENCE_TIMEOUT_MS);
  }

  _detach(ws) {
    ws.onopen = ws.onmessage = ws.onclose = ws.onerror = null;
  }

  _clearTimers() {
    clearTimeout(this.retryTimer);
    clearInterval(this.heartbeatTimer);
    clearTimeout(this.silenceTimer);
    this.retryTimer = this.heartbeatTimer = this.silenceTimer = null;
  }

  _setStatus(status, detail) {
    if (status === this.status && status !== "reconnecting") return;
    this.status = status;
    this._call("onStatus", status, detail);
  }

  _call(name, ...args) {
    const handler = this.handlers[name];
    if (!handler) return;
    try {
      handler(...args);
    } catch (error) {
      // A screen's bug must not kill the connection; it still shows in the console.
      console.error(error);
    }
  }
}
