/**
 * Leaving no trace. Home with nothing asked for is only a change of screen; once a call was asked for, a check-in
 * code sent or the phone pad opened (state.callTouched), leaving wipes the page: documents emptied, peer closed,
 * tracks stopped, timers cleared, dialogs closed, storage cleared, then location.replace("/borne/").
 * A hang-up, give-up or rating sent while the socket was reconnecting waits in state.outbox; the wipe gives it
 * WIPE_FLUSH_MS to leave.
 * Adds to `kiosk`: sendReliable, flushOutbox, goHome, wipe; touches: home, wipe.
 */

import { $$, role, setText } from "./screens.js";

/** How long a wipe (or a give-up still without a call id) waits for the outbox to be sent. */
export const WIPE_FLUSH_MS = 5000;

export function installReset(kiosk) {
  const { state, timers } = kiosk;

  /** Sends now, or as soon as the socket is open again (the wipe waits a little for it). */
  function sendReliable(message) {
    if (!kiosk.socket.send(message)) state.outbox.push(message);
  }

  function flushOutbox() {
    while (state.outbox.length && kiosk.socket.send(state.outbox[0])) state.outbox.shift();
  }

  function goHome() {
    if (state.callTouched) return wipe();
    kiosk.stopLocalStream();
    state.selectedId = null;
    state.topicId = null;
    setText("partner-name", "");
    kiosk.renderHome();
    kiosk.show("home");
  }

  /** Forgets everything about the call, then reloads the page from the server. */
  async function wipe() {
    if (state.wiping) return;
    state.wiping = true;
    kiosk.documents.wipe();
    kiosk.closePeer();
    for (const name of Object.keys(timers)) clearTimeout(timers[name]);
    clearInterval(timers.countdown);
    for (const dialog of $$("dialog[open]")) dialog.close();
    // A hang-up, give-up or rating sent while the socket was reconnecting still deserves to arrive.
    const deadline = Date.now() + WIPE_FLUSH_MS;
    while (state.outbox.length && Date.now() < deadline) {
      flushOutbox();
      if (state.outbox.length) await new Promise((resolve) => setTimeout(resolve, 200));
    }
    for (const name of [
      "partner-name",
      "agent-name",
      "waiting-status",
      "waiting-position",
      "waiting-wait",
      "unavailable-message",
      "unavailable-next",
      "ended-message",
      "announcer",
      "error-message",
    ]) {
      setText(name, "");
    }
    role("topic-list").replaceChildren();
    state.call = null;
    state.selectedId = null;
    try {
      sessionStorage.clear();
      localStorage.clear();
    } catch (error) {
      // Storage may be disabled; then there is nothing in it either.
    }
    kiosk.socket.close();
    location.replace("/borne/");
  }

  Object.assign(kiosk, { sendReliable, flushOutbox, goHome, wipe });
  Object.assign(kiosk.actions, { home: goHome, wipe: goHome });
}
