/**
 * The partner agent's console: one socket (/ws/console/, docs/realtime.md "Console socket"), one call at a time.
 *
 * Sections of the page (console.html) and when they show:
 *   ringing  — an `offer` for my station, until accepted, declined, withdrawn or timed out;
 *   call     — my call is `connected`: camera and mic, CallPeer as the offerer, signals relayed both ways;
 *   wrap-up  — the call has ended: topic and outcome (`call.wrapup`), then available or paused;
 *   my station, the partner's stations and the queue — always.
 * Every sentence comes from the template (`console-strings`); the page's data from `console-config`.
 * A socket that reconnects leaves the call alone: the snapshot that follows is matched against what is on screen.
 */

import { CallPeer } from "../visiorelais/peer.js";
import { RealtimeSocket } from "../visiorelais/realtime.js";
import { fillIn as fmt } from "../visiorelais/words.js";
import { renderCallbacks } from "./callbacks.js";
import { ConsoleDocuments } from "./documents.js";

const config = readJson("console-config");
const T = readJson("console-strings");
const baseTitle = document.title;
const NOTICES_KEPT = 5;
// Stations in these states are not (or no longer) ringing: an offer on screen has gone.
const NOT_RINGING = new Set(["available", "paused", "offline"]);
// A deadline that looks further than this is a wrong clock, not a real ring time.
const MAX_RING_MS = 10 * 60 * 1000;
// Marks repeat the state's words (never replace them); all are in common fonts (DejaVu), none is an emoji.
const STATE_MARKS = { offline: "○", available: "●", ringing: "☎", busy: "◉", wrap_up: "✎", paused: "‖" };

function readJson(id) {
  return JSON.parse(document.getElementById(id).textContent);
}

const byTestId = (id) => document.querySelector(`[data-testid="${id}"]`);
const byRole = (name) => document.querySelector(`[data-role="${name}"]`);

const el = {
  root: byTestId("console"),
  connection: byTestId("console-connection"),
  connectionText: byRole("connection-text"),
  alert: byRole("alert"),
  notices: byRole("notices"),
  ringing: byTestId("console-ringing"),
  ringingTitle: document.getElementById("appel-entrant-titre"),
  ringingSite: byRole("ringing-site"),
  ringingTopic: byRole("ringing-topic"),
  ringingCountdown: byRole("ringing-countdown"),
  ringingPeripherals: byTestId("ringing-peripherals"),
  accept: byTestId("ringing-accept"),
  decline: byTestId("ringing-decline"),
  call: byTestId("console-call"),
  callTitle: document.getElementById("appel-titre"),
  callSite: byRole("call-site"),
  callStatus: byRole("call-status"),
  remoteVideo: byRole("remote-video"),
  localVideo: byRole("local-video"),
  localMuted: byRole("local-muted"),
  toggleMic: byTestId("call-toggle-mic"),
  toggleCamera: byTestId("call-toggle-camera"),
  hangup: byTestId("call-hangup"),
  wrapup: byTestId("console-wrapup"),
  wrapupTitle: document.getElementById("fin-appel-titre"),
  wrapupCall: byRole("wrapup-call"),
  wrapupForm: byRole("wrapup-form"),
  wrapupTopic: byTestId("wrapup-topic"),
  wrapupError: byRole("wrapup-error"),
  wrapupNext: byRole("wrapup-next"),
  wrapupAvailable: byTestId("wrapup-available"),
  wrapupPause: byTestId("wrapup-pause"),
  myStationSummary: byRole("my-station-summary"),
  myStationState: byRole("my-station-state"),
  myStationActions: byRole("my-station-actions"),
  stationAvailable: byTestId("station-available"),
  stationPause: byTestId("station-pause"),
  stationLeave: byTestId("station-leave"),
  stations: byRole("stations"),
  stationsEmpty: byRole("stations-empty"),
  queueCount: byRole("queue-count"),
  queueList: byRole("queue-list"),
};

const state = {
  ready: false, // a snapshot has arrived
  status: "connecting",
  closeCode: null,
  stations: [],
  myStationId: null,
  pendingTakeId: null,
  queue: [],
  ringing: null, // the AgentCall offered to my station
  accepting: false,
  call: null, // my connected AgentCall
  wrapup: null, // the ended AgentCall waiting for its wrap-up
  wrapupSent: false,
  hungUp: new Set(), // calls hung up here; sent again if a snapshot still shows them connected
  peer: null,
  localStream: null,
  earlySignals: [],
  iceState: null,
  mediaError: null,
  micOff: false,
  cameraOff: false,
};
window.__visiorelaisConsole = state;

// --- Ringing sound: two tones, twice a second, every three seconds; WebAudio only, no file. ---

class Ringer {
  constructor() {
    this.context = null;
    this.timer = null;
    this.oscillators = [];
  }

  /** Browsers only let a page make sound after a gesture: the context is made (or resumed) on one. */
  unlock() {
    const AudioContextClass = window.AudioContext || window.webkitAudioContext;
    if (!AudioContextClass) return;
    if (!this.context) this.context = new AudioContextClass();
    if (this.context.state === "suspended") this.context.resume().catch(() => {});
  }

  start() {
    this.stop();
    if (!this.context || this.context.state === "closed") return false;
    if (this.context.state === "suspended") this.context.resume().catch(() => {});
    this._burst();
    this.timer = setInterval(() => this._burst(), 3000);
    return true;
  }

  stop() {
    clearInterval(this.timer);
    this.timer = null;
    for (const oscillator of this.oscillators.splice(0)) {
      try {
        oscillator.stop();
      } catch (error) {
        // Already stopped.
      }
      oscillator.disconnect();
    }
  }

  _burst() {
    const context = this.context;
    const start = context.currentTime;
    const gain = context.createGain();
    gain.gain.setValueAtTime(0.12, start);
    gain.gain.setValueAtTime(0, start + 0.4);
    gain.gain.setValueAtTime(0.12, start + 0.6);
    gain.gain.setValueAtTime(0, start + 1.0);
    gain.connect(context.destination);
    for (const frequency of [440, 480]) {
      const oscillator = context.createOscillator();
      oscillator.frequency.value = frequency;
      oscillator.connect(gain);
      oscillator.onended = () => {
        oscillator.disconnect();
        this.oscillators = this.oscillators.filter((other) => other !== oscillator);
      };
      oscillator.start(start);
      oscillator.stop(start + 1.05);
      this.oscillators.push(oscillator);
    }
  }
}

const ringer = new Ringer();
for (const type of ["pointerdown", "keydown"]) {
  document.addEventListener(type, () => ringer.unlock(), { capture: true, passive: true });
}

// --- The socket. ---

const socket = new RealtimeSocket(config.socket_path, {
  onSnapshot,
  onEvent,
  onStatus,
  // `station` and `queue` events carry the partner's seq; the rest (offer, call, signal, notice) carry none.
  partnerIdOf: (msg) => (msg.type === "station" || msg.type === "queue" ? config.partner.id : null),
});

// Scans, prints and the kiosk's peripherals (console/documents.js): it follows the console's data-phase.
const documents = new ConsoleDocuments({ send: (message) => send(message), calls: () => state });

function send(message) {
  if (socket.send(message)) return true;
  addNotice(T.not_connected, "error");
  return false;
}

function onStatus(status, detail = {}) {
  state.status = status;
  state.closeCode = detail.code ?? null;
  el.connection.dataset.status = status;
  el.connectionText.textContent =
    status === "closed" && detail.code && detail.code !== 1000 ? T.connection_refused : T.connection[status];
  renderStations();
  renderMyStation();
  renderCallStatus();
}

function onSnapshot(msg) {
  state.ready = true;
  state.stations = Array.isArray(msg.stations) ? msg.stations.slice() : [];
  state.myStationId = msg.my_station ? msg.my_station.id : null;
  if (msg.my_station) upsertStation(msg.my_station);
  state.pendingTakeId = null;
  state.queue = Array.isArray(msg.queue) ? msg.queue : [];
  applyCall(msg.call || null, { fromSnapshot: true });
  renderAll();
  renderCallbacks(msg.callbacks);
}

function onEvent(msg) {
  switch (msg.type) {
    case "station":
      onStation(msg.station);
      break;
    case "queue":
      state.queue = Array.isArray(msg.queue) ? msg.queue : [];
      renderQueue();
      break;
    case "offer":
      startRinging(msg.call);
      break;
    case "call":
      applyCall(msg.call, { fromSnapshot: false });
      break;
    case "signal":
      onSignal(msg);
      break;
    case "document":
    case "scan":
    case "print_job":
    case "peripherals":
      documents.onFrame(msg);
      break;
    case "callbacks":
      renderCallbacks(msg.callbacks);
      break;
    case "notice":
      if (msg.code === "ring_timeout") stopRinging();
      addNotice(msg.message || msg.code, "notice");
      break;
    case "error":
      if (state.accepting) stopRinging();
      state.pendingTakeId = null;
      addNotice(fmt(T.error, { message: msg.message || msg.code }), "error");
      renderAll();
      break;
    default:
      break;
  }
}

function onStation(station) {
  if (!station) return;
  upsertStation(station);
  const takenByMe = station.state !== "offline" && station.agent_id === config.agent.id;
  if (station.id === state.pendingTakeId && takenByMe) {
    state.pendingTakeId = null;
    state.myStationId = station.id;
    addNotice(fmt(T.my_station_taken, { label: station.label }));
  } else if (station.id === state.myStationId && station.state === "offline") {
    state.myStationId = null;
    addNotice(T.my_station_left);
  }
  if (station.id === state.myStationId && state.ringing && NOT_RINGING.has(station.state)) stopRinging();
  renderStations();
  renderMyStation();
}

function upsertStation(station) {
  const index = state.stations.findIndex((known) => known.id === station.id);
  if (index === -1) state.stations.push(station);
  else state.stations[index] = { ...state.stations[index], ...station };
}

function myStation() {
  return state.stations.find((station) => station.id === state.myStationId) || null;
}

/** Matches a call (from an event or a snapshot) against what is on screen. */
function applyCall(call, { fromSnapshot }) {
  if (!call) {
    if (!fromSnapshot) return;
    // The snapshot knows no call of mine: an offer on screen has gone, a call on screen has ended.
    if (state.ringing) stopRinging();
    if (state.call) finishCall(state.call);
    return;
  }
  switch (call.status) {
    case "offered":
      startRinging(call);
      break;
    case "connected":
      if (state.ringing) stopRinging();
      if (state.hungUp.has(call.id)) {
        socket.send({ type: "call.hangup", call_id: call.id });
      } else if (state.call && state.call.id === call.id) {
        state.call = { ...state.call, ...call };
      } else {
        startCall(call);
      }
      break;
    case "ended":
      if (state.ringing && state.ringing.id === call.id) stopRinging();
      if (state.call && state.call.id === call.id) {
        finishCall(call);
      } else if (fromSnapshot && !state.wrapup && myStation()?.state === "wrap_up") {
        // Back after a reconnection with a call to close: its wrap-up is still due.
        showWrapup(call);
      }
      break;
    default:
      // Back in the queue or elsewhere: not for this station any more.
      if (state.ringing && state.ringing.id === call.id) stopRinging();
      break;
  }
  renderAll();
}

// --- Ringing. ---

const ringClock = { timer: null, deadline: null, safety: null };

function startRinging(call) {
  if (!call) return;
  const again = state.ringing && state.ringing.id === call.id;
  state.ringing = call;
  if (!again) state.accepting = false;
  el.ringingSite.textContent = `${call.site} — ${call.commune} · ${call.kiosk_label || ""} (${call.kiosk_code})`;
  el.ringingTopic.textContent = call.topic || T.topic_none;
  const peripherals = call.peripherals || {};
  for (const item of el.ringingPeripherals.querySelectorAll("[data-peripheral]")) {
    const present = Boolean(peripherals[item.dataset.peripheral]);
    item.dataset.present = String(present);
    item.querySelector('[data-role="mark"]').textContent = present ? "✓" : "✗";
    item.querySelector('[data-role="value"]').textContent = present ? T.yes : T.no;
  }
  document.title = fmt(T.ring_title, { site: call.site });
  if (!again) {
    const sounding = ringer.start();
    el.ringing.dataset.sound = sounding ? "on" : "off";
    el.alert.textContent = fmt(T.ring_announce, {
      site: call.site,
      commune: call.commune,
      topic: call.topic || T.topic_none,
    });
  }
  startCountdown(call.ring_deadline);
  renderAll();
  if (!again) el.ringingTitle.focus();
}

function startCountdown(deadlineIso) {
  clearInterval(ringClock.timer);
  clearTimeout(ringClock.safety);
  const deadline = Date.parse(deadlineIso);
  const remaining = deadline - Date.now();
  ringClock.deadline = Number.isFinite(deadline) && remaining > 0 && remaining < MAX_RING_MS ? deadline : null;
  const tick = () => {
    if (ringClock.deadline === null) {
      el.ringingCountdown.textContent = "";
      return;
    }
    const seconds = Math.ceil((ringClock.deadline - Date.now()) / 1000);
    if (seconds > 0) {
      el.ringingCountdown.textContent = fmt(T.ring_countdown, { seconds });
    } else {
      el.ringingCountdown.textContent = T.ring_over;
      ringer.stop();
      el.ringing.dataset.sound = "off";
    }
  };
  tick();
  ringClock.timer = setInterval(tick, 250);
  // The server says when a ring is over (notice, station, call); this only covers a message that never came.
  const safetyMs = (ringClock.deadline === null ? 60000 : ringClock.deadline - Date.now()) + 10000;
  ringClock.safety = setTimeout(() => {
    if (state.ringing && !state.accepting) stopRinging();
  }, safetyMs);
}

function stopRinging() {
  if (!state.ringing) return;
  const hadFocus = el.ringing.contains(document.activeElement);
  state.ringing = null;
  state.accepting = false;
  ringer.stop();
  el.ringing.dataset.sound = "off";
  clearInterval(ringClock.timer);
  clearTimeout(ringClock.safety);
  document.title = baseTitle;
  el.alert.textContent = "";
  renderAll();
  if (hadFocus && !state.call) document.getElementById("mon-poste-titre").focus?.();
}

el.accept.addEventListener("click", () => {
  const call = state.ringing;
  if (!call || state.accepting) return;
  if (!send({ type: "call.accept", call_id: call.id })) return;
  state.accepting = true;
  ringer.stop();
  el.ringing.dataset.sound = "off";
  clearInterval(ringClock.timer);
  el.ringingCountdown.textContent = T.ring_accepting;
  renderRinging();
});

el.decline.addEventListener("click", () => {
  const call = state.ringing;
  if (!call) return;
  if (!send({ type: "call.decline", call_id: call.id })) return;
  stopRinging();
});

// --- The call. ---

async function startCall(call) {
  state.call = call;
  state.wrapup = null;
  state.iceState = "new";
  state.mediaError = null;
  state.micOff = false;
  state.cameraOff = false;
  state.earlySignals = [];
  el.callSite.textContent = fmt(T.call_with, { site: call.site, commune: call.commune, kiosk: call.kiosk_code });
  renderAll();
  el.callTitle.focus();

  const stream = await openCameraAndMic();
  if (!state.call || state.call.id !== call.id) {
    // Ended while the browser was asking for the camera.
    if (stream) for (const track of stream.getTracks()) track.stop();
    return;
  }
  state.localStream = stream;
  el.localVideo.srcObject = stream;
  renderMediaButtons();
  if (!stream) {
    renderCallStatus();
    return;
  }
  const peer = new CallPeer({
    role: "offerer",
    iceServers: call.ice_servers || [],
    iceTransportPolicy: call.ice_transport_policy,
    localStream: stream,
    sendSignal: (signal) => socket.send({ type: "signal", call_id: call.id, signal }),
    onRemoteStream: (remote) => {
      if (el.remoteVideo.srcObject !== remote) el.remoteVideo.srcObject = remote;
      el.remoteVideo.play().catch(() => {});
    },
    onState: (iceState) => {
      if (state.peer !== peer) return;
      state.iceState = iceState;
      renderCallStatus();
    },
  });
  state.peer = peer;
  for (const signal of state.earlySignals.splice(0)) peer.handleSignal(signal);
  await peer.start();
}

/** Camera and mic; failing that, the mic alone, then the camera alone; null when nothing is allowed. */
async function openCameraAndMic() {
  const attempts = [{ video: true, audio: true }, { audio: true }, { video: true }];
  let lastError = null;
  for (const constraints of attempts) {
    try {
      return await navigator.mediaDevices.getUserMedia(constraints);
    } catch (error) {
      lastError = error;
      if (error && error.name === "NotAllowedError") break;
    }
  }
  state.mediaError = fmt(T.call_media_error, { error: (lastError && lastError.name) || "?" });
  addNotice(state.mediaError, "error");
  return null;
}

function onSignal(msg) {
  if (!state.call || msg.call_id !== state.call.id || !msg.signal) return;
  if (state.peer) state.peer.handleSignal(msg.signal);
  else state.earlySignals.push(msg.signal);
}

/** Leaves the call screen (the call has ended, or was hung up here) and asks for the wrap-up. */
function finishCall(call) {
  const ended = state.call ? { ...state.call, ...call } : call;
  if (state.peer) state.peer.close();
  else if (state.localStream) for (const track of state.localStream.getTracks()) track.stop();
  state.peer = null;
  state.localStream = null;
  state.earlySignals = [];
  state.iceState = null;
  state.call = null;
  el.remoteVideo.srcObject = null;
  el.localVideo.srcObject = null;
  addNotice(T.call_ended);
  showWrapup(ended);
}

el.hangup.addEventListener("click", () => {
  const call = state.call;
  if (!call) return;
  state.hungUp.add(call.id);
  // Hung up on screen even with the socket down: the next snapshot sends it again if still needed.
  socket.send({ type: "call.hangup", call_id: call.id });
  finishCall(call);
});

el.toggleMic.addEventListener("click", () => {
  state.micOff = !state.micOff;
  setTracks("audio", !state.micOff);
  renderMediaButtons();
});

el.toggleCamera.addEventListener("click", () => {
  state.cameraOff = !state.cameraOff;
  setTracks("video", !state.cameraOff);
  renderMediaButtons();
});

function setTracks(kind, enabled) {
  if (!state.localStream) return;
  for (const track of state.localStream.getTracks()) if (track.kind === kind) track.enabled = enabled;
}

// --- Wrap-up. ---

function showWrapup(call) {
  state.wrapup = call;
  state.wrapupSent = false;
  el.wrapupForm.reset();
  el.wrapupError.textContent = "";
  el.wrapupForm.querySelector("fieldset").removeAttribute("aria-invalid");
  const topic = config.topics.find((known) => known.label === call.topic);
  el.wrapupTopic.value = topic ? String(topic.id) : "";
  el.wrapupCall.textContent = fmt(T.wrapup_call, {
    site: call.site || "",
    commune: call.commune || "",
    kiosk: call.kiosk_code || "",
  });
  renderAll();
  el.wrapupTitle.focus();
}

el.wrapupForm.addEventListener("submit", (event) => {
  event.preventDefault();
  if (!state.wrapup) return;
  const outcome = el.wrapupForm.elements.outcome.value;
  const fieldset = el.wrapupForm.querySelector("fieldset");
  if (!outcome) {
    el.wrapupError.textContent = T.wrapup_outcome_missing;
    fieldset.setAttribute("aria-invalid", "true");
    el.wrapupForm.querySelector('input[name="outcome"]').focus();
    return;
  }
  const message = { type: "call.wrapup", call_id: state.wrapup.id, outcome };
  if (el.wrapupTopic.value) message.topic_id = Number(el.wrapupTopic.value);
  if (!send(message)) return;
  el.wrapupError.textContent = "";
  fieldset.removeAttribute("aria-invalid");
  state.wrapupSent = true;
  addNotice(T.wrapup_sent);
  renderWrapup();
  el.wrapupAvailable.focus();
});

function afterWrapup(message) {
  if (!send(message)) return;
  state.wrapup = null;
  state.wrapupSent = false;
  renderAll();
  document.getElementById("mon-poste-titre").focus?.();
}

el.wrapupAvailable.addEventListener("click", () => afterWrapup({ type: "station.available" }));
el.wrapupPause.addEventListener("click", () => afterWrapup({ type: "station.pause", reason: config.pause_reason }));

// --- My station. ---

el.stationAvailable.addEventListener("click", () => send({ type: "station.available" }));
el.stationPause.addEventListener("click", () => send({ type: "station.pause", reason: config.pause_reason }));
el.stationLeave.addEventListener("click", () => send({ type: "station.leave" }));

el.stations.addEventListener("click", (event) => {
  const button = event.target.closest("button[data-station-id]");
  if (!button || button.disabled) return;
  const stationId = Number(button.dataset.stationId);
  state.pendingTakeId = stationId;
  if (!send({ type: "station.take", station_id: stationId })) state.pendingTakeId = null;
  renderStations();
});

// --- Rendering. ---

function renderAll() {
  const phase = state.ringing ? "ringing" : state.call ? "in-call" : state.wrapup ? "wrap-up" : "idle";
  el.root.dataset.phase = phase;
  renderRinging();
  el.call.hidden = !state.call;
  renderCallStatus();
  renderMediaButtons();
  renderWrapup();
  renderMyStation();
  renderStations();
  renderQueue();
}

function renderRinging() {
  el.ringing.hidden = !state.ringing;
  el.accept.disabled = state.accepting;
  el.decline.disabled = state.accepting;
}

function renderCallStatus() {
  if (!state.call) {
    el.call.dataset.reconnecting = "false";
    el.callStatus.textContent = "";
    return;
  }
  const reconnecting =
    state.status !== "open" || state.iceState === "disconnected" || state.iceState === "failed";
  el.call.dataset.reconnecting = String(reconnecting);
  el.call.dataset.ice = state.iceState || "";
  let text;
  if (state.mediaError) text = state.mediaError;
  else if (reconnecting) text = T.call_reconnecting;
  else if (state.iceState === "connected" || state.iceState === "completed") text = T.call_media_ok;
  else text = T.call_media_starting;
  if (el.callStatus.textContent !== text) el.callStatus.textContent = text;
}

function renderMediaButtons() {
  el.toggleMic.textContent = state.micOff ? T.mic_on : T.mic_off;
  el.toggleMic.dataset.muted = String(state.micOff);
  el.toggleCamera.textContent = state.cameraOff ? T.camera_on : T.camera_off;
  el.toggleCamera.dataset.muted = String(state.cameraOff);
  const off = [];
  if (state.micOff) off.push(T.local_mic_off);
  if (state.cameraOff) off.push(T.local_camera_off);
  el.localMuted.textContent = off.length ? `(${off.join(", ")})` : "";
}

function renderWrapup() {
  el.wrapup.hidden = !state.wrapup;
  el.wrapupForm.hidden = state.wrapupSent;
  el.wrapupNext.hidden = !state.wrapupSent;
}

function stateLabel(station) {
  return T.station_states[station.state] || station.state;
}

function renderMyStation() {
  const station = myStation();
  const open = state.status === "open";
  if (!station) {
    el.myStationSummary.textContent = T.my_station_none;
    el.myStationState.hidden = true;
    el.myStationActions.hidden = true;
    return;
  }
  el.myStationSummary.textContent = fmt(T.my_station, { label: station.label });
  el.myStationState.hidden = false;
  el.myStationState.dataset.state = station.state;
  const reason = station.pause_reason ? T.pause_reasons[station.pause_reason] || station.pause_reason : "";
  el.myStationState.textContent = reason
    ? fmt(T.my_station_state_reason, { state: stateLabel(station), reason })
    : fmt(T.my_station_state, { state: stateLabel(station) });
  el.myStationActions.hidden = false;
  const engaged = Boolean(state.call || state.ringing) || station.state === "busy" || station.state === "ringing";
  el.stationAvailable.disabled = !open || engaged || station.state === "available";
  el.stationPause.disabled = !open || engaged || station.state === "paused";
  el.stationLeave.disabled = !open || engaged;
}

const stationRows = new Map();
let templateRowsAdopted = false;

/** The rows the template rendered become the live rows, so the table never flickers nor loses a focused button. */
function adoptTemplateRows() {
  for (const tr of el.stations.querySelectorAll("tr[data-testid^='station-row-']")) {
    const id = Number(tr.dataset.testid.replace("station-row-", ""));
    stationRows.set(id, buildRow(id, tr));
  }
}

function renderStations() {
  const mine = state.myStationId;
  const open = state.status === "open";
  if (!state.ready) return;
  if (!templateRowsAdopted) {
    adoptTemplateRows();
    templateRowsAdopted = true;
  }
  const seen = new Set();
  for (const station of state.stations) {
    seen.add(station.id);
    let row = stationRows.get(station.id);
    if (!row) {
      row = buildRow(station.id, document.createElement("tr"));
      stationRows.set(station.id, row);
    }
    el.stations.appendChild(row.tr);
    row.tr.dataset.state = station.state;
    row.tr.dataset.mine = String(station.id === mine);
    row.label.textContent = station.label;
    const reason = station.pause_reason ? T.pause_reasons[station.pause_reason] || station.pause_reason : "";
    row.mark.textContent = STATE_MARKS[station.state] || "";
    row.stateText.textContent = reason ? `${stateLabel(station)} (${reason})` : stateLabel(station);
    row.agent.textContent = station.agent_name || T.station_agent_none;
    row.hiddenLabel.textContent = ` ${fmt(T.station_take_hidden, { label: station.label })}`;
    row.mineText.textContent = station.id === mine ? T.station_mine : "";
    row.button.hidden = mine !== null;
    row.button.disabled = !open || station.state !== "offline" || state.pendingTakeId !== null;
  }
  for (const [id, row] of stationRows) {
    if (!seen.has(id)) {
      row.tr.remove();
      stationRows.delete(id);
    }
  }
  el.stationsEmpty?.toggleAttribute("hidden", state.stations.length > 0);
}

function buildRow(id, tr) {
  tr.replaceChildren();
  tr.setAttribute("data-testid", `station-row-${id}`);
  const label = document.createElement("th");
  label.scope = "row";
  const stateCell = document.createElement("td");
  stateCell.setAttribute("data-testid", `station-state-${id}`);
  const mark = document.createElement("span");
  mark.className = "state-mark";
  mark.setAttribute("aria-hidden", "true");
  const stateText = document.createElement("span");
  stateCell.append(mark, " ", stateText);
  const agent = document.createElement("td");
  const actionCell = document.createElement("td");
  const button = document.createElement("button");
  button.type = "button";
  button.dataset.stationId = String(id);
  button.setAttribute("data-testid", `station-take-${id}`);
  button.disabled = true;
  const hiddenLabel = document.createElement("span");
  hiddenLabel.className = "visually-hidden";
  button.append(T.station_take, hiddenLabel);
  const mineText = document.createElement("span");
  mineText.className = "mine";
  actionCell.append(button, mineText);
  tr.append(label, stateCell, agent, actionCell);
  return { tr, label, mark, stateText, agent, button, hiddenLabel, mineText };
}

function renderQueue() {
  if (!state.ready) return;
  const count = state.queue.length;
  const text = count === 0 ? T.queue_empty : count === 1 ? T.queue_count_one : fmt(T.queue_count_many, { count });
  if (el.queueCount.textContent !== text) el.queueCount.textContent = text;
  const items = state.queue.map((waiting) => {
    const li = document.createElement("li");
    li.setAttribute("data-testid", `queue-item-${waiting.call_id}`);
    const where = document.createElement("strong");
    where.textContent = waiting.site;
    const commune = document.createElement("span");
    commune.textContent = ` — ${waiting.commune} (${waiting.kiosk_code})`;
    const details = document.createElement("span");
    details.className = "queue-details";
    const topic = document.createElement("span");
    topic.textContent = `${waiting.topic || T.topic_none} · `;
    const since = document.createElement("time");
    since.dateTime = waiting.since;
    since.setAttribute("data-testid", `queue-since-${waiting.call_id}`);
    since.textContent = sinceText(waiting.since);
    details.append(topic, since);
    li.append(where, commune, details);
    return li;
  });
  el.queueList.replaceChildren(...items);
}

function sinceText(iso) {
  const started = Date.parse(iso);
  if (!Number.isFinite(started)) return "";
  const minutes = Math.max(0, Math.floor((Date.now() - started) / 60000));
  if (minutes < 1) return T.since_now;
  if (minutes < 60) return fmt(T.since_minutes, { minutes });
  return fmt(T.since_hours, { hours: Math.floor(minutes / 60), minutes: String(minutes % 60).padStart(2, "0") });
}

// The "depuis 3 min" counters move on their own; nothing is announced, the count above is what is read out.
setInterval(() => {
  for (const time of el.queueList.querySelectorAll("time[datetime]")) {
    const text = sinceText(time.dateTime);
    if (time.textContent !== text) time.textContent = text;
  }
}, 5000);

function addNotice(message, kind = "info") {
  if (!message) return;
  const item = document.createElement("p");
  item.className = `notice notice-${kind}`;
  item.dataset.kind = kind;
  const at = document.createElement("span");
  at.className = "notice-time";
  at.textContent = `${new Date().toLocaleTimeString("fr-FR", { hour: "2-digit", minute: "2-digit" })} — `;
  item.append(at, message);
  el.notices.append(item);
  while (el.notices.children.length > NOTICES_KEPT) el.notices.firstElementChild.remove();
}

renderAll();
socket.start();
