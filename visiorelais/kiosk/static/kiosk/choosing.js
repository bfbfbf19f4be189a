/**
 * Choosing whom to call: a partner's tile → its topics (when it has some) → consent, with the camera's preview.
 * A partner that takes no call now leads to the unavailable screen (endings.js); an appointment-only one to the
 * code pad (appointments.js, through scheduling's choose).
 * Adds to `kiosk`: stopLocalStream (the camera let go of, every video emptied); touches: partner, topic, topic-skip.
 */

import { t } from "./format.js";
import { CLOSED_STATES } from "./home.js";
import { $$, partnerLabel, role, setText } from "./screens.js";

export function installChoosing(kiosk) {
  const { state } = kiosk;

  function choosePartner(id) {
    const partner = state.partners.get(id);
    if (!partner) return;
    if (kiosk.scheduling.choose(partner)) return;
    state.selectedId = id;
    state.topicId = null;
    setText("partner-name", partnerLabel(partner));
    if (partner.state === "appointment_only") {
      kiosk.showUnavailable(t("unavailable.appointment", { partner: partnerLabel(partner) }), "");
    } else if (CLOSED_STATES.has(partner.state)) {
      kiosk.showUnavailable(t("unavailable.now", { partner: partnerLabel(partner) }), partner.next_opening);
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
      kiosk.show("topic");
    } else {
      showConsent();
    }
  }

  async function showConsent() {
    kiosk.show("consent");
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

  Object.assign(kiosk, { stopLocalStream });
  Object.assign(kiosk.actions, {
    partner: (button) => choosePartner(state.order.find((id) => String(id) === button.dataset.partnerId)),
    topic: (button) => {
      const partner = kiosk.selectedPartner();
      const topic = partner && partner.topics.find((item) => String(item.id) === button.dataset.topicId);
      state.topicId = topic ? topic.id : null;
      showConsent();
    },
    "topic-skip": () => {
      state.topicId = null;
      showConsent();
    },
  });
}
