/**
 * « Être rappelé » on the kiosk (docs/scheduling.md): offered when a partner cannot answer (the unavailable
 * screen, an appointment-only partner) or when the wait is over the partner's limit (the waiting screen).
 * Phone number on a pad (shown by pairs) → topic (optional, skipped when the partner has none) → time of day,
 * which sends `callback.request` → the server's `callback` frame (its French confirmation) or an `error`.
 *
 * From the waiting screen the call stays queued while the resident types; it is given up once the callback is
 * recorded. If an agent answers meanwhile, the call wins: kiosk.js takes the screen back.
 */

import { t } from "./format.js";
import { NumberPad, groupPhone } from "./pad.js";

export const PHONE_LENGTH = 10;
const SCREENS = new Set(["callback-phone", "callback-topic", "callback-period", "callback-done"]);
const WAITING_STATES = new Set(["queued", "requested"]);

/** Whether "être rappelé" is offered for `partner` now, given its live state (and our call's wait, if any). */
export function callbackOffered(partner, call = null) {
  if (!partner) return false;
  if (["closed", "unstaffed", "appointment_only"].includes(partner.state)) return true;
  const limit = partner.callback_wait_limit_s;
  if (typeof limit !== "number") return Boolean(partner.callback);
  const wait = call && typeof call.estimated_wait_s === "number" ? call.estimated_wait_s : partner.estimated_wait_s;
  return typeof wait === "number" && wait > limit;
}

export function installCallbacks(kiosk) {
  const { state, socket, show, role } = kiosk;
  const local = { partnerId: null, topicId: null, pending: false, queuedCall: null, givingUp: false };
  const submit = role("callback-phone-submit");
  const pad = new NumberPad(role("callback-pad"), { prefix: "callback", maxLength: PHONE_LENGTH, onChange: renderPhone });

  function partner() {
    return state.partners.get(local.partnerId) || null;
  }

  function liveCall() {
    return state.call && state.call.id !== null && state.call.status !== "ended" ? state.call : null;
  }

  function renderPhone(digits) {
    role("callback-phone-display").dataset.value = digits;
    role("callback-phone-display").textContent = groupPhone(digits) || "—";
    submit.disabled = digits.length !== PHONE_LENGTH || digits[0] !== "0";
  }

  function setError(name, text) {
    const node = role(name);
    node.textContent = text || "";
    node.hidden = !text;
  }

  function start() {
    const chosen = kiosk.selectedPartner();
    if (!chosen) return;
    local.partnerId = chosen.id;
    local.topicId = null;
    local.pending = false;
    local.queuedCall = null;
    state.callTouched = true; // a phone number will be typed here: leaving wipes the page
    kiosk.setText("callback-partner-name", kiosk.partnerLabel(chosen));
    pad.set("");
    setError("callback-phone-error", "");
    show("callback-phone");
  }

  function toTopic() {
    if (pad.digits.length !== PHONE_LENGTH) return;
    const topics = (partner() && partner().topics) || [];
    if (!topics.length) return toPeriod();
    role("callback-topic-list").replaceChildren(
      ...topics.map((topic) => {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.action = "callback-topic";
        button.dataset.topicId = String(topic.id);
        button.dataset.testid = `callback-topic-${topic.id}`;
        button.textContent = topic.label;
        item.append(button);
        return item;
      }),
    );
    show("callback-topic");
  }

  function toPeriod() {
    setError("callback-error", "");
    for (const button of document.querySelectorAll('[data-action="callback-period"]')) button.disabled = false;
    show("callback-period");
  }

  function request(preferred) {
    if (local.pending) return;
    const message = { type: "callback.request", partner_id: local.partnerId, phone: pad.digits, preferred };
    if (local.topicId !== null) message.topic_id = local.topicId;
    if (!socket.send(message)) {
      setError("callback-error", t("error.not_sent"));
      return;
    }
    local.pending = true;
    for (const button of document.querySelectorAll('[data-action="callback-period"]')) button.disabled = true;
  }

  function back() {
    // Back to the call still waiting, or home (which wipes: a number was typed).
    const call = liveCall();
    if (call) {
      const latest = local.queuedCall;
      local.queuedCall = null;
      kiosk.applyCall(latest || call);
      if (state.screen !== "waiting") show("waiting");
      return;
    }
    kiosk.goHome();
  }

  Object.assign(kiosk.actions, {
    "callback-open": start,
    "callback-phone-submit": toTopic,
    "callback-topic": (button) => {
      const topic = ((partner() && partner().topics) || []).find((item) => String(item.id) === button.dataset.topicId);
      local.topicId = topic ? topic.id : null;
      toPeriod();
    },
    "callback-topic-skip": () => {
      local.topicId = null;
      toPeriod();
    },
    "callback-period": (button) => request(button.dataset.period),
    "callback-back": back,
    "callback-done": () => kiosk.wipe(),
  });

  return {
    /** The unavailable screen offers a callback for the partner that could not answer. */
    onUnavailable(chosen) {
      role("unavailable-callback").hidden = !callbackOffered(chosen);
    },
    /** The waiting screen offers one when the wait is over the partner's limit. */
    onWaiting(chosen, call) {
      const offer = call && WAITING_STATES.has(call.status) && chosen && chosen.mode !== "appointment_only";
      role("waiting-callback").hidden = !(offer && callbackOffered(chosen, call));
    },
    onEvent(msg) {
      if (msg.type === "callback" && local.pending) {
        local.pending = false;
        const callback = msg.callback || {};
        kiosk.setText("callback-confirmation", callback.message || "");
        show("callback-done");
        const call = liveCall();
        if (call) {
          local.givingUp = true;
          socket.send({ type: "call.give_up", call_id: call.id });
        }
        return true;
      }
      if (msg.type === "error" && local.pending) {
        local.pending = false;
        if (msg.code === "bad_phone") {
          show("callback-phone");
          setError("callback-phone-error", msg.message);
        } else {
          toPeriod();
          setError("callback-error", msg.message);
        }
        return true;
      }
      if (msg.type === "call" && SCREENS.has(state.screen)) {
        const status = msg.call && msg.call.status;
        // The call given up after the callback was recorded: the confirmation stays until the resident leaves.
        if (local.givingUp) return true;
        // Still queued: keep the resident on these screens; the latest position shows on coming back.
        if (status === "queued") {
          local.queuedCall = msg.call;
          return true;
        }
      }
      return false;
    },
  };
}
