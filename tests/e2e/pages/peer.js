// A test-only page for the harness's own tests: one RTCPeerConnection, exposed as window.__visiorelaisPeer
// (the convention every call page follows), signaled by the test itself through page.evaluate.
// Descriptions are returned once ICE gathering is complete, so they carry every candidate (no trickle).
"use strict";

(() => {
  let pc = null;

  function gatheringComplete(connection) {
    return new Promise((resolve) => {
      if (connection.iceGatheringState === "complete") return resolve();
      connection.addEventListener("icegatheringstatechange", () => {
        if (connection.iceGatheringState === "complete") resolve();
      });
    });
  }

  function description() {
    return { type: pc.localDescription.type, sdp: pc.localDescription.sdp };
  }

  window.harness = {
    /** Creates the connection; with `camera`, sends the (fake) camera's video. */
    async start({ iceServers = [], iceTransportPolicy = "all", camera = true } = {}) {
      pc = new RTCPeerConnection({ iceServers, iceTransportPolicy });
      window.__visiorelaisPeer = pc;
      pc.ontrack = (event) => {
        document.getElementById("remote").srcObject = event.streams[0] || new MediaStream([event.track]);
      };
      if (camera) {
        const stream = await navigator.mediaDevices.getUserMedia({ video: true, audio: false });
        document.getElementById("local").srcObject = stream;
        for (const track of stream.getTracks()) pc.addTrack(track, stream);
      } else {
        pc.addTransceiver("video", { direction: "recvonly" });
      }
    },
    async offer() {
      await pc.setLocalDescription();
      await gatheringComplete(pc);
      return description();
    },
    async answer(offer) {
      await pc.setRemoteDescription(offer);
      await pc.setLocalDescription();
      await gatheringComplete(pc);
      return description();
    },
    async accept(answer) {
      await pc.setRemoteDescription(answer);
    },
    candidateTypes() {
      return [...pc.localDescription.sdp.matchAll(/ typ (\w+)/g)].map((match) => match[1]);
    },
    close() {
      pc.close();
      delete window.__visiorelaisPeer;
    },
  };
})();
