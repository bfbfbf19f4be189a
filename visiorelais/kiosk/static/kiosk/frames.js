/**
 * What the kiosk socket (/ws/kiosk/, docs/realtime.md) brings, handed to the module it concerns: the snapshot
 * (partners, scheduling, peripherals, our call), then `partner`, `call`, `signal`, the document frames and
 * `error`, scheduling.js first (it keeps the frames that answer its own requests); and the socket's status, shown
 * in the connection banner and on <body data-socket-status>.
 * installFrames returns the RealtimeSocket's handlers: onSnapshot, onEvent, onStatus.
 */

import { t } from "./format.js";
import { role, showError } from "./screens.js";

export function installFrames(kiosk) {
  const { state } = kiosk;

  function handleSnapshot(msg) {
    kiosk.setPartners(msg.partners || []);
    kiosk.scheduling.onSnapshot(msg);
    kiosk.renderHome();
    kiosk.scheduleReopenRefresh();
    kiosk.documents.setPeripherals(msg.peripherals);
    kiosk.applyCall(msg.call, { fromSnapshot: true });
    if (state.screen === "loading" || state.screen === "offline") kiosk.show("home");
  }

  function handleEvent(msg) {
    if (kiosk.scheduling.onEvent(msg)) return;
    switch (msg.type) {
      case "partner":
        kiosk.updatePartner(msg.partner || {});
        return;
      case "call":
        kiosk.applyCall(msg.call);
        return;
      case "signal":
        kiosk.handleSignal(msg);
        return;
      case "document":
      case "scan":
      case "print_job":
      case "peripherals":
        kiosk.documents.onFrame(msg);
        return;
      case "error":
        if (state.requesting && !state.call) kiosk.showEnded(msg.message || t("ended.failed"));
        else if (msg.message) showError(msg.message);
        return;
      default:
        return;
    }
  }

  function handleStatus(status, detail = {}) {
    state.socketStatus = status;
    document.body.dataset.socketStatus = status;
    const banner = role("connection-status");
    if (status === "open") {
      banner.textContent = "";
      kiosk.flushOutbox();
      // A restart asked for while the socket was down was lost with it.
      if (state.peer && state.iceState === "failed") state.peer.restartIce();
    } else if (status === "reconnecting") {
      banner.textContent = t("connection.reconnecting");
    } else if (status === "closed" && (detail.code === 4001 || detail.code === 4003)) {
      banner.textContent = t("connection.refused");
      if (!state.peer) kiosk.show("offline");
    }
    kiosk.renderReconnecting();
  }

  return { onSnapshot: handleSnapshot, onEvent: handleEvent, onStatus: handleStatus };
}
