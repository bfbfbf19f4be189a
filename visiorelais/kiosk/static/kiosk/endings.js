/**
 * How a call ends on the resident's screen: after a conversation, the rating (`call.rate`) then thanks, then the
 * wipe; a partner that could not answer, the unavailable screen with its next opening (and « Être rappelé »,
 * callbacks.js); a call that was never answered or failed, the ended screen; one given up, the wipe at once.
 * Adds to `kiosk`: endCall, showUnavailable, showEnded; touch: rate.
 */

import { formatOpening, t } from "./format.js";
import { partnerLabel, setCallStatus, setText } from "./screens.js";

/** How long the thanks screen stays before the page wipes itself. */
export const THANKS_MS = 3000;

export function installEndings(kiosk) {
  const { state, timers } = kiosk;

  function endCall(call) {
    state.call = { ...call, status: "ended" };
    setCallStatus("ended");
    kiosk.closePeer();
    if (state.giveUpPending) return kiosk.wipe();
    if (["rating", "thanks"].includes(state.screen)) return;
    const partner = kiosk.selectedPartner();
    if (state.wasConnected) return kiosk.show("rating");
    if (call.outcome === "unavailable") {
      return showUnavailable(
        t("unavailable.now", { partner: partnerLabel(partner) }),
        call.next_opening || (partner && partner.next_opening),
      );
    }
    if (call.outcome === "abandoned") return kiosk.wipe();
    showEnded(t(call.outcome === "unanswered" ? "ended.unanswered" : "ended.failed"));
  }

  function showUnavailable(message, nextOpening) {
    setText("unavailable-message", message);
    const when = formatOpening(nextOpening);
    setText("unavailable-next", when ? t("opening.next", { when }) : t("opening.unknown"));
    kiosk.scheduling.onUnavailable(kiosk.selectedPartner());
    kiosk.show("unavailable");
  }

  function showEnded(message) {
    state.requesting = false;
    kiosk.closePeer();
    setText("ended-message", message);
    kiosk.show("ended");
  }

  function rate(rating) {
    if (state.call && state.call.id !== null && state.call.id !== undefined) {
      kiosk.sendReliable({ type: "call.rate", call_id: state.call.id, rating });
    }
    kiosk.show("thanks");
    timers.thanks = setTimeout(kiosk.wipe, THANKS_MS);
  }

  Object.assign(kiosk, { endCall, showUnavailable, showEnded });
  Object.assign(kiosk.actions, { rate: (button) => rate(Number(button.dataset.rating)) });
}
