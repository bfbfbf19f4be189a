/**
 * Asking for the call and waiting for it: `call.request` → the waiting screen (position, estimated wait) → the
 * agent answers (call.js) or the call ends (endings.js). applyCall follows the server's `call` objects, from the
 * snapshot and from `call` frames, and sends the screen where the call's status leads.
 * Giving up sends `call.give_up` and wipes the page; a call with no id yet is given up as soon as it has one.
 * Adds to `kiosk`: applyCall; touches: call-request, give-up.
 */

import { formatDuration, normaliseCall, t } from "./format.js";
import { $, partnerLabel, role, setCallStatus, setText } from "./screens.js";
import { WIPE_FLUSH_MS } from "./reset.js";

/** A request the server has not answered by then is shown as failed. */
export const REQUEST_TIMEOUT_MS = 20000;

export function installWaiting(kiosk) {
  const { state, timers } = kiosk;

  function requestCall() {
    const partner = kiosk.selectedPartner();
    if (!partner || state.requesting) return;
    const message = { type: "call.request", partner_id: partner.id };
    if (state.topicId !== null) message.topic_id = state.topicId;
    if (!kiosk.socket.send(message)) {
      const error = role("request-error");
      error.textContent = t("error.not_sent");
      error.hidden = false;
      return;
    }
    state.callTouched = true;
    state.requesting = true;
    setCallStatus("requested");
    renderWaiting();
    kiosk.show("waiting");
    clearTimeout(timers.request);
    timers.request = setTimeout(() => {
      if (state.requesting && !state.call) kiosk.showEnded(t("ended.failed"));
    }, REQUEST_TIMEOUT_MS);
  }

  function giveUp() {
    state.giveUpPending = true;
    $('[data-action="give-up"]').disabled = true;
    if (state.call && state.call.id !== null) {
      kiosk.sendReliable({ type: "call.give_up", call_id: state.call.id });
      kiosk.wipe();
      return;
    }
    // The call has no id yet: give up as soon as it has one, or leave anyway after a while.
    timers.giveUp = setTimeout(kiosk.wipe, WIPE_FLUSH_MS);
  }

  function renderWaiting() {
    const partner = kiosk.selectedPartner();
    const call = state.call;
    const name = partnerLabel(partner);
    if (!call) {
      setText("waiting-status", t("waiting.requesting", { partner: name }));
      setText("waiting-position", "");
      setText("waiting-wait", "");
      return;
    }
    setText("waiting-status", t(call.status === "offered" ? "waiting.offered" : "waiting.queued", { partner: name }));
    const position = call.position;
    let positionText = "";
    if (call.status === "offered" || position === 1) positionText = t("position.next");
    else if (position === 2) positionText = t("position.one");
    else if (typeof position === "number" && position > 2) positionText = t("position.many", { n: position - 1 });
    setText("waiting-position", positionText);
    const wait = call.status === "offered" ? "" : formatDuration(call.estimated_wait_s);
    setText("waiting-wait", wait ? t("wait.estimate_long", { duration: wait }) : "");
    kiosk.scheduling.onWaiting(partner, call);
  }

  /**
   * Takes the server's `raw` call (null from a snapshot: the server knows no call for this kiosk). A call other
   * than ours that ended, or any news once ours ended, is ignored.
   */
  function applyCall(raw, { fromSnapshot = false } = {}) {
    if (!raw) {
      // The server knows no call for this kiosk: one we were in ended while the socket was away.
      if (fromSnapshot && (state.call || state.requesting) && !["rating", "thanks"].includes(state.screen)) {
        kiosk.endCall(state.call ? { ...state.call, status: "ended" } : { status: "ended", outcome: "failed" });
      }
      return;
    }
    const call = normaliseCall(raw);
    const known = state.call;
    if (known && known.id !== null && call.id !== known.id && call.status === "ended") return;
    if (!known && !state.requesting && call.status === "ended") return;
    if (known && known.status === "ended") return;
    state.call = call;
    state.requesting = false;
    clearTimeout(timers.request);
    if (call.partner_id !== undefined && call.partner_id !== null && state.partners.has(call.partner_id)) {
      state.selectedId = call.partner_id;
      setText("partner-name", partnerLabel(kiosk.selectedPartner()));
    }
    state.callTouched = true;
    setCallStatus(call.status);
    if (state.giveUpPending && call.status !== "ended") {
      kiosk.sendReliable({ type: "call.give_up", call_id: call.id });
      kiosk.wipe();
      return;
    }
    if (call.status === "connected") {
      kiosk.enterCall(call, { resumed: fromSnapshot && !state.peer });
    } else if (call.status === "ended") {
      kiosk.endCall(call);
    } else {
      renderWaiting();
      if (state.screen !== "waiting") kiosk.show("waiting");
    }
  }

  Object.assign(kiosk, { applyCall });
  Object.assign(kiosk.actions, { "call-request": requestCall, "give-up": giveUp });
}
