/**
 * In the call: the kiosk answers the agent's WebRTC offer (peer.js, role "answerer"), over the same socket
 * (`signal` frames). Signals that arrive before the peer exists wait in state.pendingSignals.
 * The reconnecting banner (call-reconnecting) shows while ICE or the socket is in trouble; <body data-ice-state>
 * mirrors ICE.
 * Hanging up sends `call.hangup` and goes to the rating.
 * Adds to `kiosk`: enterCall, handleSignal, renderReconnecting, closePeer; touches: toggle-mic, toggle-camera,
 * hangup.
 */

import { CallPeer } from "../visiorelais/peer.js";
import { t } from "./format.js";
import { $, announce, role, setCallStatus, setText } from "./screens.js";

export function installCall(kiosk) {
  const { state } = kiosk;

  async function enterCall(call, { resumed }) {
    state.wasConnected = true;
    setText("agent-name", call.agent_name || t("agent.unknown"));
    if (state.peer || state.screen === "call") return;
    kiosk.show("call");
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
      sendSignal: (signal) => kiosk.socket.send({ type: "signal", call_id: callId, signal }),
      onRemoteStream: (stream) => {
        const video = role("remote-video");
        if (video.srcObject !== stream) video.srcObject = stream;
        video.play().catch(() => {});
      },
      onState: (iceState) => {
        state.iceState = iceState;
        document.body.dataset.iceState = iceState;
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
    if (state.call && state.call.id !== null) kiosk.sendReliable({ type: "call.hangup", call_id: state.call.id });
    state.call = { ...(state.call || {}), status: "ended", outcome: "completed" };
    setCallStatus("ended");
    closePeer();
    kiosk.show("rating");
  }

  function closePeer() {
    if (state.peer) state.peer.close();
    state.peer = null;
    state.pendingSignals = [];
    kiosk.stopLocalStream();
  }

  Object.assign(kiosk, { enterCall, handleSignal, renderReconnecting, closePeer });
  Object.assign(kiosk.actions, {
    "toggle-mic": () => toggleTrack("audio"),
    "toggle-camera": () => toggleTrack("video"),
    hangup: hangUp,
  });
}
