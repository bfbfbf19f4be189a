/**
 * The media side of a call: one RTCPeerConnection between the kiosk and the agent, signaled through the server
 * (docs/realtime.md "Signaling"). The agent's browser is the offerer, the kiosk the answerer.
 *
 *   import { CallPeer } from "/static/visiorelais/peer.js";
 *   const peer = new CallPeer({
 *     role: "answerer",                 // or "offerer"
 *     iceServers: call.ice_servers,     // as the server gives them for this call
 *     iceTransportPolicy: call.ice_transport_policy, // "all" (default) or "relay": through TURN only
 *     localStream,                      // from getUserMedia; its tracks are sent, and stopped by close()
 *     sendSignal(signal) {},            // e.g. socket.send({type: "signal", call_id, signal})
 *     onRemoteStream(stream) {},        // the other side's media: video.srcObject = stream
 *     onState(state) {},                // the ICE connection state ("new", "checking", "connected", "completed",
 *                                       // "disconnected", "failed", "closed")
 *   });
 *   await peer.start();                 // the offerer sends its offer here
 *   await peer.handleSignal(signal);    // every signal from the other side, in arrival order
 *   peer.close();
 *
 * Signals sent: {kind: "offer" | "answer", sdp}, {kind: "candidate", candidate, sdpMid, sdpMLineIndex}
 * (candidate "" means end of candidates) and, from the answerer only, {kind: "restart"}.
 * Recovery: on ICE "failed" the offerer restarts ICE with a new offer, the answerer asks for it with "restart";
 * while the state stays "failed" this repeats every RESTART_RETRY_MS, because the signal may have been lost
 * with a signaling socket that was reconnecting at the time.
 * The RTCPeerConnection is exposed as window.__visiorelaisPeer while the call lasts (the browser tests read
 * getStats() from it).
 */

export const RESTART_RETRY_MS = 5000;

/** The wire form of a local ICE candidate (null, the end of candidates, becomes an empty candidate). */
export function candidateSignal(candidate) {
  return {
    kind: "candidate",
    candidate: candidate ? candidate.candidate : "",
    sdpMid: candidate ? (candidate.sdpMid ?? null) : null,
    sdpMLineIndex: candidate ? (candidate.sdpMLineIndex ?? null) : null,
  };
}

export class CallPeer {
  constructor({
    role,
    iceServers = [],
    iceTransportPolicy = "all",
    localStream = null,
    sendSignal,
    onRemoteStream,
    onState,
  }) {
    if (role !== "offerer" && role !== "answerer") throw new Error(`CallPeer: unknown role ${role}`);
    this.role = role;
    this.iceServers = iceServers || [];
    this.iceTransportPolicy = iceTransportPolicy === "relay" ? "relay" : "all";
    this.localStream = localStream;
    this.sendSignal = sendSignal || (() => {});
    this.onRemoteStream = onRemoteStream || (() => {});
    this.onState = onState || (() => {});
    this.pc = null;
    this.state = "new";
    this.closed = false;
    this.pendingCandidates = [];
    this.pendingSignals = [];
    this.remoteStream = null;
    this.retryTimer = null;
    // Signals are handled one at a time, in order: setRemoteDescription and addIceCandidate must not interleave.
    this.chain = Promise.resolve();
  }

  /** Creates the connection, adds the local tracks, and (offerer) sends the first offer. */
  async start() {
    if (this.pc || this.closed) return;
    const pc = new RTCPeerConnection({ iceServers: this.iceServers, iceTransportPolicy: this.iceTransportPolicy });
    this.pc = pc;
    window.__visiorelaisPeer = pc;
    if (this.localStream) {
      for (const track of this.localStream.getTracks()) pc.addTrack(track, this.localStream);
    }
    pc.onicecandidate = (event) => this.sendSignal(candidateSignal(event.candidate));
    pc.ontrack = (event) => {
      let stream = event.streams && event.streams[0];
      if (!stream) {
        this.remoteStream = this.remoteStream || new MediaStream();
        this.remoteStream.addTrack(event.track);
        stream = this.remoteStream;
      }
      this.remoteStream = stream;
      this.onRemoteStream(stream);
    };
    pc.oniceconnectionstatechange = () => this._iceStateChanged(pc.iceConnectionState);
    // Chromium may leave iceConnectionState at "disconnected" when the path is lost for good, while the
    // connection state does reach "failed": either one starts the recovery.
    pc.onconnectionstatechange = () => {
      if (pc.connectionState === "failed") this._recover();
    };
    if (this.role === "offerer") await this._enqueue(() => this._sendOffer(false));
    const early = this.pendingSignals.splice(0);
    for (const signal of early) this.handleSignal(signal);
    await this.chain;
  }

  /** Handles one signal from the other side; signals arriving before start() wait for it. */
  handleSignal(signal) {
    if (this.closed || !signal || typeof signal.kind !== "string") return Promise.resolve();
    if (!this.pc) {
      this.pendingSignals.push(signal);
      return Promise.resolve();
    }
    return this._enqueue(() => this._handle(signal));
  }

  /** Offerer: restarts ICE and sends a new offer. Answerer: asks the offerer to do so. */
  async restartIce() {
    if (this.closed || !this.pc) return;
    if (this.role === "answerer") {
      this.sendSignal({ kind: "restart" });
      return;
    }
    await this._enqueue(() => this._sendOffer(true));
  }

  /** Ends the connection, stops every track (ours and theirs) and forgets the connection. */
  close() {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.retryTimer);
    const pc = this.pc;
    if (pc) {
      pc.onicecandidate = pc.ontrack = pc.oniceconnectionstatechange = pc.onconnectionstatechange = null;
      for (const receiver of pc.getReceivers()) receiver.track && receiver.track.stop();
      pc.close();
    }
    if (this.localStream) for (const track of this.localStream.getTracks()) track.stop();
    if (window.__visiorelaisPeer === pc) delete window.__visiorelaisPeer;
    this.pc = null;
    this.localStream = null;
    this.remoteStream = null;
    this.pendingCandidates = [];
    this.pendingSignals = [];
    this._setState("closed");
  }

  _enqueue(task) {
    const run = this.chain.then(() => (this.closed ? undefined : task()));
    // One failed step (a stale answer, a bad candidate) must not block the ones after it.
    this.chain = run.catch((error) => console.warn("CallPeer:", error));
    return this.chain;
  }

  async _handle(signal) {
    const pc = this.pc;
    switch (signal.kind) {
      case "offer":
        if (this.role !== "answerer") return;
        await pc.setRemoteDescription({ type: "offer", sdp: signal.sdp });
        await this._flushCandidates();
        await pc.setLocalDescription(await pc.createAnswer());
        this.sendSignal({ kind: "answer", sdp: pc.localDescription.sdp });
        return;
      case "answer":
        // An answer to an offer we no longer wait for (a newer restart offer crossed it) is dropped.
        if (this.role !== "offerer" || pc.signalingState !== "have-local-offer") return;
        await pc.setRemoteDescription({ type: "answer", sdp: signal.sdp });
        await this._flushCandidates();
        return;
      case "candidate":
        if (!pc.remoteDescription) {
          this.pendingCandidates.push(signal);
          return;
        }
        await this._addCandidate(signal);
        return;
      case "restart":
        // Both sides notice a failure at once: while our own restart offer waits for its answer, a second offer
        // would let the first answer be applied to it (mismatched credentials). The retry re-checks later.
        if (this.role === "offerer" && pc.signalingState === "stable") await this._sendOffer(true);
        return;
      default:
        return;
    }
  }

  async _sendOffer(iceRestart) {
    const pc = this.pc;
    if (iceRestart) pc.restartIce();
    const offer = await pc.createOffer(iceRestart ? { iceRestart: true } : {});
    await pc.setLocalDescription(offer);
    this.lastOfferAt = Date.now();
    this.sendSignal({ kind: "offer", sdp: pc.localDescription.sdp });
  }

  async _flushCandidates() {
    const queued = this.pendingCandidates.splice(0);
    for (const signal of queued) await this._addCandidate(signal);
  }

  async _addCandidate(signal) {
    try {
      await this.pc.addIceCandidate({
        candidate: signal.candidate || "",
        sdpMid: signal.sdpMid ?? null,
        sdpMLineIndex: signal.sdpMLineIndex ?? null,
      });
    } catch (error) {
      // A candidate of a previous ICE generation fails harmlessly after a restart.
      console.warn("CallPeer: candidate refused", error);
    }
  }

  _iceStateChanged(state) {
    this._setState(state);
    if (state === "connected" || state === "completed") clearTimeout(this.retryTimer);
    if (state === "failed") this._recover();
  }

  _connected() {
    return Boolean(this.pc) && ["connected", "completed"].includes(this.pc.iceConnectionState);
  }

  _failed() {
    return Boolean(this.pc) && (this.pc.iceConnectionState === "failed" || this.pc.connectionState === "failed");
  }

  /** Restarts ICE, then again every RESTART_RETRY_MS until connected (a restart can fail too). */
  _recover() {
    if (this.closed) return;
    clearTimeout(this.retryTimer);
    // An offer still waiting for its answer is left alone for a while: a second one would let that answer be
    // applied to it. Past two retry periods, the answer is taken as lost and a new offer goes out.
    const waiting = this.pc && this.pc.signalingState === "have-local-offer";
    if (!waiting || Date.now() - this.lastOfferAt > 2 * RESTART_RETRY_MS) this.restartIce();
    this.retryTimer = setTimeout(() => {
      if (!this.closed && (this._failed() || !this._connected())) this._recover();
    }, RESTART_RETRY_MS);
  }

  _setState(state) {
    if (state === this.state) return;
    this.state = state;
    try {
      this.onState(state);
    } catch (error) {
      console.error(error);
    }
  }
}
