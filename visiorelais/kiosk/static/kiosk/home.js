/**
 * Home: the partner tiles, one per partner in the snapshot's order, each with its badge, its live state (queue,
 * estimated wait, next opening) and its state icon (<template id="state-icons">); appointments.js may hide some
 * (scheduling's hidesPartner) and adds its banner after each render (afterRender).
 * Adds to `kiosk`: setPartners (a snapshot's list), updatePartner (a `partner` frame), renderHome and
 * scheduleReopenRefresh.
 */

import { formatDuration, formatOpening, inkFor, normalisePartner, pick, t } from "./format.js";
import { $, $$, role } from "./screens.js";

/** A partner in one of these states takes no call now; choosing it tells when it opens. */
export const CLOSED_STATES = new Set(["closed", "unstaffed"]);

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

export function installHome(kiosk) {
  const { state, timers } = kiosk;

  /** Replaces every partner with the snapshot's (`raws`, in their order); renders nothing. */
  function setPartners(raws) {
    state.partners = new Map();
    state.order = [];
    for (const raw of raws) {
      const partner = normalisePartner(raw);
      state.partners.set(partner.id, partner);
      state.order.push(partner.id);
    }
  }

  /** A `partner` frame's object: what it carries replaces what we knew; a new partner goes last. */
  function updatePartner(raw) {
    const id = pick(raw, ["id", "partner_id"], null);
    if (id === null) return;
    if (!state.partners.has(id)) state.order.push(id);
    state.partners.set(id, normalisePartner(raw, state.partners.get(id)));
    renderHome();
    scheduleReopenRefresh();
  }

  function renderHome() {
    const list = role("partner-list");
    const existing = new Map($$("li.partner", list).map((item) => [item.dataset.partnerId, item]));
    const items = state.order
      .map((id) => state.partners.get(id))
      .filter((partner) => partner && !kiosk.scheduling.hidesPartner(partner.id))
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
    kiosk.scheduling.afterRender();
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
    timers.reopen = setTimeout(() => kiosk.socket.resync(), delay);
  }

  Object.assign(kiosk, { setPartners, updatePartner, renderHome, scheduleReopenRefresh });
}
