/**
 * The resident's screen at /borne/: home → (topic) → consent and camera preview → queue → call → rating → wipe.
 *
 * One WebSocket (/ws/kiosk/, docs/realtime.md) drives everything; the kiosk answers the agent's WebRTC offer.
 * Every word comes from the page (<template id="kiosk-strings">), translated by Django.
 * After a call the page wipes itself: peer closed, tracks stopped, storage cleared, location.replace("/borne/").
 * For the browser suite, <body> carries data-screen, data-socket-status, data-call-status and data-ice-state.
 *
 * This entry point holds the state and wires the modules beside it, one per screen or concern:
 *   screens.js    the page's helpers and show(name), one screen at a time
 *   home.js       the partner tiles and their live state
 *   choosing.js   a partner's topics, then consent with the camera preview
 *   waiting.js    `call.request`, the queue, and applyCall (where the server's call leads)
 *   call.js       in the call: the WebRTC answer, microphone, camera, hang-up
 *   endings.js    unavailable, ended, rating and thanks
 *   reset.js      going home, the outbox and the wipe
 *   idle.js       « Êtes-vous toujours là ? » and its countdown
 *   help.js       the help panel and large text
 *   frames.js     the socket's snapshot, frames and status, handed to the modules above
 *   documents.js  scans, photos, prints and the receipt; scheduling.js appointments and callbacks
 * Each install function takes the one `kiosk` context (state, timers, socket, documents, scheduling and the
 * `actions` map, touch name → handler) and adds its functions and touches to it; the modules call one another
 * through it, at the time of the call, so the order of installation only matters for scheduling.js (last).
 */

import { RealtimeSocket } from "../visiorelais/realtime.js";
import { loadWords } from "./format.js";
import { installScheduling } from "./scheduling.js";
import { KioskDocuments } from "./documents.js";
import { $, installScreens } from "./screens.js";
import { installFrames } from "./frames.js";
import { installHome } from "./home.js";
import { installChoosing } from "./choosing.js";
import { installWaiting } from "./waiting.js";
import { installCall } from "./call.js";
import { installEndings } from "./endings.js";
import { installReset } from "./reset.js";
import { installIdle } from "./idle.js";
import { installHelp } from "./help.js";

export { IDLE_AFTER_MS, IDLE_COUNTDOWN_S } from "./idle.js";
export { THANKS_MS } from "./endings.js";
export { REQUEST_TIMEOUT_MS } from "./waiting.js";
export { WIPE_FLUSH_MS } from "./reset.js";

const body = document.body;
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
const kiosk = { state, timers, actions: {}, socket: null, documents: null, scheduling: null };

kiosk.socket = new RealtimeSocket(body.dataset.socketPath || "/ws/kiosk/", installFrames(kiosk));
// Scans, photos, prints and the receipt (kiosk/documents.js): it follows the screens through <body data-screen>.
kiosk.documents = new KioskDocuments({
  send: (message) => kiosk.socket.send(message),
  callId: () => (state.call && state.call.id !== undefined ? state.call.id : null),
});

// ---- Screens and touches ---------------------------------------------------------------------------------------

installScreens(kiosk);
installHome(kiosk);
installChoosing(kiosk);
installWaiting(kiosk);
installCall(kiosk);
installEndings(kiosk);
installReset(kiosk);
installIdle(kiosk);
installHelp(kiosk);

document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-action]");
  if (!button || button.disabled || state.wiping) return;
  const action = kiosk.actions[button.dataset.action];
  if (action) action(button);
});

// Appointments and callbacks (scheduling.js): their screens, touches and frames.
kiosk.scheduling = installScheduling(kiosk);

kiosk.socket.start();
