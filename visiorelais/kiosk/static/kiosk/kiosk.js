/**
 * The resident's screen at /borne/: home → (topic) → consent and camera preview → queue → call → rating → wipe.
 *
 * One WebSocket (/ws/kiosk/, docs/realtime.md) drives everything; the kiosk answers the agent's WebRTC offer.
 * Every word comes from the page (<template id="kiosk-strings">), translated by Django.
 * After a call the page wipes itself: peer closed, tracks stopped, storage cleared, location.replace("/borne/").
 * For the browser suite, <body> carries data-screen, data-socket-status, data-call-status and data-ice-state.
 */

import { RealtimeSocket } from "../visiorelais/realtime.js";
import { CallPeer } from "../visiorelais/peer.js";
import {
  formatDuration,
  formatOpening,
  inkFor,
  loadWords,
  normaliseCall,
  normalisePartner,
  pick,
  t,
} from "./format.js";
import { installScheduling } from "./scheduling.js";
import { KioskDocuments } from "./documents.js";

export const IDLE_AFTER_MS = 60000;
export const IDLE_COUNTDOWN_S = 30;
export const THANKS_MS = 3000;
export const REQUEST_TIMEOUT_MS = 20000;
export const WIPE_FLUSH_MS = 5000;
/** Screens where nobody is made to hurry: home itself, and while the resident waits or talks. */
const NO_IDLE_SCREENS = new Set(["loading", "home", "waiting", "call", "thanks", "offline"]);
const CLOSED_STATES = new Set(["closed", "unstaffed"]);

const body = document.body;
const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
const role = (name) => $(`[data-role="${name}"]`);
loadWords($("#kiosk-strings"), body.dataset.timeZone || "Europe/Paris");

// ---- State ---------------------------------------------------------------------------------------------------

const state = {
  screen: "loading",
  partners: new Map(),
  order: [],
  selectedId: null,
  topicId: null,
  call: null,
  requesting: false,
  callTouched: false, // a call was asked for: leaving must wipe the page
  wasConnected: false,
  giveUpPending: false,
  localStream: null,
  peer: null,
  pendingSignals: [],
  outbox: [],
  socketStatus: "connecting",
  iceState: "new",
  micOn: true,
  cameraOn: true,
  wiping: false,
};
const timers = { idle: null, countdown: null, request: null, reopen: null, thanks: null, giveUp: null };

const socket = new RealtimeSocket(body.dataset.socketPath || "/ws/kiosk/", {
  onSnapshot: handleSnapshot,
  onEvent: handleEvent,
  onStatus: handleStatus,
});
// Scans, photos, prints and the receipt (kiosk/documents.js): it follows the screens through <body data-screen>.
const documents = new KioskDocuments({
  send: (message) => socket.send(message),
  callId: () => (state.call && state.call.id !== undefined ? state.call.id : null),
});

// ---- Screens -------------------------------------------------------------------------------------------------

function show(name) {
  if (state.wiping) return;
  const changed = state.screen !== name;
  state.screen = name;
  body.dataset.screen = name;
  for (const section of $$("section[data-screen-name]")) section.hidden = section.dataset.screenName !== name;
  if (changed) {
    clearError();
    const heading = $(`section[data-screen-name="${name}"] h1`);
    if (heading && !$("dialog[open]")) heading.focus({ preventScroll: true });
    window.scrollTo(0, 0);
  }
  armIdle();
}

function setText(roleName, text) {
  for (const node of $$(`[data-role="${roleName}"]`)) node.textContent = text;
}

function announce(text) {
  role("announcer").textContent = text;
}

function showError(text) {
  role("error-message").textContent = text;
}

function clearError() {
  role("error-message").textContent = "";
}

function selectedPartner() {
  return state.partners.get(state.selectedId) || null;
}

function partnerLabel(partner) {
  return partner ? partner.short_name || partner.name || "" : "";
}

// ---- Home ------------------------------------------------------------------------------------------------------

function stateLine(partner) {
  const parts = [t(`state.${partner.state}`)];
  if (partner.state === "busy") {
    const waiting = partner.queue_length || 0;
    if (waiting === 1) parts.push(t("queue.one"));
    else if (waiting > 1) parts.push(t("queue.many", { n: waiting }));
    const wait = formatDuration(partner.estimated_wait_s);
    if (wait) parts.push(t("wait.estimate", { duration: wait }));
  } else if (partner.state === "closed" && partner.next_opening) {
    parts.push(t("opening.short", { when: formatOpening(partner.next_opening) }));
  }
  return parts.join(" · ");
}

function renderPartner(item, partner) {
  const button = $(".partner-button", item);
  const slug = String(partner.short_name || partner.id).replace(/\s+/g, "-");
  item.dataset.state = partner.state;
  button.dataset.testid = `partner-${slug}`;
  button.dataset.partnerId = partner.id;
  button.dataset.partnerShortName = partner.short_name || "";
  button.dataset.partnerState = partner.state;
  const badge = $(".partner-badge", item);
  badge.textContent = (partner.short_name || partner.name || "?").slice(0, 8);
  badge.classList.toggle("long", badge.textContent.length > 4);
  badge.style.background = partner.colour || "#2f4f6f";
  badge.style.color = inkFor(partner.colour || "#2f4f6f");
  $(".partner-name", item).textContent = partner.name || partner.short_name || "";
  $(".partner-description", item).textContent = partner.description || "";
  $(".state-text", item).textContent = stateLine(partner);
  const icon = $(`#state-icons`).content.querySelector(`svg[data-state="${partner.state}"]`);
  $(".state-icon", item).replaceChildren(icon ? icon.cloneNode(true) : "");
}

function renderHome() {
  const list = role("partner-list");
  const existing = new Map($$("li.partner", list).map((item) => [item.dataset.partnerId, item]));
  const items = state.order
    .map((id) => state.partners.get(id))
    .filter((partner) => partner && !scheduling.hidesPartner(partner.id))
    .map((partner) => {
      let item = existing.get(String(partner.id));
      if (!item) {
        item = $("#partner-template").content.firstElementChild.cloneNode(true);
        item.dataset.partnerId = String(partner.id);
      }
      renderPartner(item, partner);
      return item;
    });
  // Reuse the nodes so that focus and the screen reader's place survive a live update.
  const current = Array.from(list.children);
  if (current.length !== items.length || current.some((node, i) => node !== items[i])) list.replaceChildren(...items);
  role("no-partner").hidden = items.length > 0;
  scheduling.afterRender();
}

function scheduleReopenRefresh() {
  // Opening by the clock emits no event: ask for a fresh snapshot when the first closed partner opens.
  clearTimeout(timers.reopen);
  const times = Array.from(state.partners.values())
    .filter((partner) => CLOSED_STATES.has(partner.state) && partner.next_opening)
    .map((partner) => new Date(partner.next_opening).getTime())
    .filter((time) => Number.isFinite(time));
  if (!times.length) return;
  const delay = Math.min(Math.max(Math.min(...times) - Date.now() + 2000, 2000), 2 ** 31 - 1);
  timers.reopen = setTimeout(() => socket.resync(), delay);
}

// ---- Choosing ---------------------------------------------------------------------------------------------------

function choosePartner(id) {
  const partner = state.partners.get(id);
  if (!partner) return;
  if (scheduling.choose(partner)) return;
  state.selectedId = id;
  state.topicId = null;
  setText("partner-name", partnerLabel(partner));
  if (partner.state === "appointment_only") {
    showUnavailable(t("unavailable.appointment", { partner: partnerLabel(partner) }), "");
  } else if (CLOSED_STATES.has(partner.state)) {
    showUnavailable(t("unavailable.now", { partner: partnerLabel(partner) }), partner.next_opening);
  } else if (partner.topics.length) {
    const list = role("topic-list");
    list.replaceChildren(
      ...partner.topics.map((topic) => {
        const item = document.createElement("li");
        const button = document.createElement("button");
        button.type = "button";
        button.dataset.action = "topic";
        button.dataset.topicId = String(topic.id);
        button.dataset.testid = `topic-${topic.id}`;
        button.textContent = topic.label;
        item.append(button);
        return item;
      }),
    );
    show("topic");
  } else {
    showConsent();
  }
}

async function showConsent() {
  show("consent");
  role("request-error").hidden = true;
  if (state.localStream) return;
  const preview = role("preview");
  try {
    state.localStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    if (state.screen !== "consent" || state.wiping) {
      stopLocalStream();
      return;
    }
    preview.srcObject = state.localStream;
    role("camera-error").hidden = true;
  } catch (error) {
    console.warn("kiosk: no camera", error);
    role("camera-error").hidden = false;
  }
}

function stopLocalStream() {
  if (state.localStream) for (const track of state.localStream.getTracks()) track.stop();
  state.localStream = null;
  for (const video of $$("video")) video.srcObject = null;
}

function requestCall() {
  const partner = selectedPartner();
  if (!partner || state.requesting) return;
  const message = { type: "call.request", partner_id: partner.id };
  if (state.topicId !== null) message.topic_id = state.topicId;
  if (!socket.send(message)) {
    const error = role("request-error");
    error.textContent = t("error.not_sent");
    error.hidden = false;
    return;
  }
  state.callTouched = true;
  state.requesting = true;
  setCallStatus("requested");
  renderWaiting();
  show("waiting");
  clearTimeout(timers.request);
  timers.request = setTimeout(() => {
    if (state.requesting && !state.call) showEnded(t("ended.failed"));
  }, REQUEST_TIMEOUT_MS);
}

function giveUp() {
  state.giveUpPending = true;
  $('[data-action="give-up"]').disabled = true;
  if (state.call && state.call.id !== null) {
    sendReliable({ type: "call.give_up", call_id: state.call.id });
    wipe();
    return;
  }
  // The call has no id yet: give up as soon as it has one, or leave anyway after a while.
  timers.giveUp = setTimeout(wipe, WIPE_FLUSH_MS);
}

// ---- The call ----------------------------------------------------------------------------------------------------

function setCallStatus(status) {
  body.dataset.callStatus = status || "";
}

function renderWaiting() {
  const partner = selectedPartner();
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
  scheduling.onWaiting(partner, call);
}

function applyCall(raw, { fromSnapshot = false } = {}) {
  if (!raw) {
    // The server knows no call for this kiosk: one we were in ended while the socket was away.
    if (fromSnapshot && (state.call || state.requesting) && !["rating", "thanks"].includes(state.screen)) {
      endCall(state.call ? { ...state.call, status: "ended" } : { status: "ended", outcome: "failed" });
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
    setText("partner-name", partnerLabel(selectedPartner()));
  }
  state.callTouched = true;
  setCallStatus(call.status);
  if (state.giveUpPending && call.status !== "ended") {
    sendReliable({ type: "call.give_up", call_id: call.id });
    wipe();
    return;
  }
  if (call.status === "connected") {
    enterCall(call, { resumed: fromSnapshot && !state.peer });
  } else if (call.status === "ended") {
    endCall(call);
  } else {
    renderWaiting();
    if (state.screen !== "waiting") show("waiting");
  }
}

async function enterCall(call, { resumed }) {
  state.wasConnected = true;
  setText("agent-name", call.agent_name || t("agent.unknown"));
  if (state.peer || state.screen === "call") return;
  show("call");
  announce(t("call.started", { agent: call.agent_name || t("agent.unknown") }));
  if (!state.localStream) {
    try {
      state.localStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    } catch (error) {
      console.warn("kiosk: no camera", error);
    }
  }
  if (state.wiping || state.peer || !state.call || state.call.status !== "connected") return;
  role("local-video").srcObject = state.localStream;
  role("preview").srcObject = null;
  const callId = call.id;
  const peer = new CallPeer({
    role: "answerer",
    iceServers: call.ice_servers || [],
    iceTransportPolicy: call.ice_transport_policy,
    localStream: state.localStream,
    sendSignal: (signal) => socket.send({ type: "signal", call_id: callId, signal }),
    onRemoteStream: (stream) => {
      const video = role("remote-video");
      if (video.srcObject !== stream) video.srcObject = stream;
      video.play().catch(() => {});
    },
    onState: (iceState) => {
      state.iceState = iceState;
      body.dataset.iceState = iceState;
      renderReconnecting();
    },
  });
  state.peer = peer;
  await peer.start();
  for (const signal of state.pendingSignals.splice(0)) peer.handleSignal(signal);
  // A page reloaded mid-call has a new connection: the agent's side must offer again.
  if (resumed) peer.restartIce();
}

function handleSignal(msg) {
  const callId = state.call ? state.call.id : null;
  if (msg.call_id !== undefined && callId !== null && msg.call_id !== callId) return;
  if (state.peer) state.peer.handleSignal(msg.signal);
  else if (state.call && state.call.status !== "ended") state.pendingSignals.push(msg.signal);
}

function renderReconnecting() {
  const iceTrouble = state.iceState === "disconnected" || state.iceState === "failed";
  const socketTrouble = state.socketStatus === "reconnecting" || state.socketStatus === "connecting";
  role("call-reconnecting").hidden = !(state.peer && (iceTrouble || socketTrouble));
}

function toggleTrack(kind) {
  const on = kind === "audio" ? (state.micOn = !state.micOn) : (state.cameraOn = !state.cameraOn);
  if (state.localStream) for (const track of state.localStream.getTracks()) if (track.kind === kind) track.enabled = on;
  const button = $(kind === "audio" ? '[data-action="toggle-mic"]' : '[data-action="toggle-camera"]');
  button.setAttribute("aria-pressed", String(!on));
  setText(kind === "audio" ? "mic-label" : "camera-label", t(`${kind === "audio" ? "mic" : "camera"}.${on ? "off" : "on"}`));
}

function hangUp() {
  if (state.call && state.call.id !== null) sendReliable({ type: "call.hangup", call_id: state.call.id });
  state.call = { ...(state.call || {}), status: "ended", outcome: "completed" };
  setCallStatus("ended");
  closePeer();
  show("rating");
}

function closePeer() {
  if (state.peer) state.peer.close();
  state.peer = null;
  state.pendingSignals = [];
  stopLocalStream();
}

function endCall(call) {
  state.call = { ...call, status: "ended" };
  setCallStatus("ended");
  closePeer();
  if (state.giveUpPending) return wipe();
  if (["rating", "thanks"].includes(state.screen)) return;
  const partner = selectedPartner();
  if (state.wasConnected) return show("rating");
  if (call.outcome === "unavailable") {
    return showUnavailable(
      t("unavailable.now", { partner: partnerLabel(partner) }),
      call.next_opening || (partner && partner.next_opening),
    );
  }
  if (call.outcome === "abandoned") return wipe();
  showEnded(t(call.outcome === "unanswered" ? "ended.unanswered" : "ended.failed"));
}

function showUnavailable(message, nextOpening) {
  setText("unavailable-message", message);
  const when = formatOpening(nextOpening);
  setText("unavailable-next", when ? t("opening.next", { when }) : t("opening.unknown"));
  scheduling.onUnavailable(selectedPartner());
  show("unavailable");
}

function showEnded(message) {
  state.requesting = false;
  closePeer();
  setText("ended-message", message);
  show("ended");
}

function rate(rating) {
  if (state.call && state.call.id !== null && state.call.id !== undefined) {
    sendReliable({ type: "call.rate", call_id: state.call.id, rating });
  }
  show("thanks");
  timers.thanks = setTimeout(wipe, THANKS_MS);
}

// ---- Leaving no trace -----------------------------------------------------------------------------------------------

/** Sends now, or as soon as the socket is open again (the wipe waits a little for it). */
function sendReliable(message) {
  if (!socket.send(message)) state.outbox.push(message);
}

function flushOutbox() {
  while (state.outbox.length && socket.send(state.outbox[0])) state.outbox.shift();
}

function goHome() {
  if (state.callTouched) return wipe();
  stopLocalStream();
  state.selectedId = null;
  state.topicId = null;
  setText("partner-name", "");
  renderHome();
  show("home");
}

/** Forgets everything about the call, then reloads the page from the server. */
async function wipe() {
  if (state.wiping) return;
  state.wiping = true;
  documents.wipe();
  closePeer();
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
  socket.close();
  location.replace("/borne/");
}

// ---- Idle ------------------------------------------------------------------------------------------------------------

function armIdle() {
  clearTimeout(timers.idle);
  if (NO_IDLE_SCREENS.has(state.screen) || state.wiping) return;
  if (role("idle-dialog").open) return;
  timers.idle = setTimeout(askStillThere, IDLE_AFTER_MS);
}

function askStillThere() {
  if (NO_IDLE_SCREENS.has(state.screen)) return;
  const dialog = role("idle-dialog");
  let left = IDLE_COUNTDOWN_S;
  setText("idle-countdown", t("idle.countdown", { n: left }));
  dialog.showModal();
  clearInterval(timers.countdown);
  timers.countdown = setInterval(() => {
    left -= 1;
    setText("idle-countdown", t("idle.countdown", { n: Math.max(left, 0) }));
    if (left <= 0) {
      clearInterval(timers.countdown);
      dialog.close();
      goHome();
    }
  }, 1000);
}

function stillHere() {
  clearInterval(timers.countdown);
  const dialog = role("idle-dialog");
  if (dialog.open) dialog.close();
  armIdle();
}

// ---- Socket ------------------------------------------------------------------------------------------------------------

function handleSnapshot(msg) {
  state.partners = new Map();
  state.order = [];
  for (const raw of msg.partners || []) {
    const partner = normalisePartner(raw);
    state.partners.set(partner.id, partner);
    state.order.push(partner.id);
  }
  scheduling.onSnapshot(msg);
  renderHome();
  scheduleReopenRefresh();
  documents.setPeripherals(msg.peripherals);
  applyCall(msg.call, { fromSnapshot: true });
  if (state.screen === "loading" || state.screen === "offline") show("home");
}

function handleEvent(msg) {
  if (scheduling.onEvent(msg)) return;
  switch (msg.type) {
    case "partner": {
      const raw = msg.partner || {};
      const id = pick(raw, ["id", "partner_id"], null);
      if (id === null) return;
      if (!state.partners.has(id)) state.order.push(id);
      state.partners.set(id, normalisePartner(raw, state.partners.get(id)));
      renderHome();
      scheduleReopenRefresh();
      return;
    }
    case "call":
      applyCall(msg.call);
      return;
    case "signal":
      handleSignal(msg);
      return;
    case "document":
    case "scan":
    case "print_job":
    case "peripherals":
      documents.onFrame(msg);
      return;
    case "error":
      if (state.requesting && !state.call) showEnded(msg.message || t("ended.failed"));
      else if (msg.message) showError(msg.message);
      return;
    default:
      return;
  }
}

function handleStatus(status, detail = {}) {
  state.socketStatus = status;
  body.dataset.socketStatus = status;
  const banner = role("connection-status");
  if (status === "open") {
    banner.textContent = "";
    flushOutbox();
    // A restart asked for while the socket was down was lost with it.
    if (state.peer && state.iceState === "failed") state.peer.restartIce();
  } else if (status === "reconnecting") {
    banner.textContent = t("connection.reconnecting");
  } else if (status === "closed" && (detail.code === 4001 || detail.code === 4003)) {
    banner.textContent = t("connection.refused");
    if (!state.peer) show("offline");
  }
  renderReconnecting();
}

// ---- Touches --------------------------------------------------------------------------------------------------------------

const actions = {
  partner: (button) => choosePartner(state.order.find((id) => String(id) === button.dataset.partnerId)),
  topic: (button) => {
    const partner = selectedPartner();
    const topic = partner && partner.topics.find((item) => String(item.id) === button.dataset.topicId);
    state.topicId = topic ? topic.id : null;
    showConsent();
  },
  "topic-skip": () => {
    state.topicId = null;
    showConsent();
  },
  home: goHome,
  wipe: goHome,
  "call-request": requestCall,
  "give-up": giveUp,
  "toggle-mic": () => toggleTrack("audio"),
  "toggle-camera": () => toggleTrack("video"),
  hangup: hangUp,
  rate: (button) => rate(Number(button.dataset.rating)),
  help: () => {
    role("help-panel").showModal();
    socket.send({ type: "help.request" });
  },
  "help-close": () => role("help-panel").close(),
  "idle-continue": stillHere,
  "large-text": (button) => {
    const on = document.documentElement.classList.toggle("large-text");
    button.setAttribute("aria-pressed", String(on));
  },
};

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  if (!button || button.disabled || state.wiping) return;
  const action = actions[button.dataset.action];
  if (action) action(button);
});

for (const type of ["pointerdown", "keydown", "touchstart"]) {
  document.addEventListener(type, () => {
    if (!role("idle-dialog").open) armIdle();
  }, { passive: true, capture: true });
}

// Escape on the idle question means "I am here"; on the help panel, it closes it (the browser's default).
role("idle-dialog").addEventListener("cancel", (event) => {
  event.preventDefault();
  stillHere();
});

// Appointments and callbacks (scheduling.js): their screens, touches and frames.
const scheduling = installScheduling({
  state, socket, actions, show, setText, role, applyCall, goHome, wipe, selectedPartner, partnerLabel,
});

socket.start();
