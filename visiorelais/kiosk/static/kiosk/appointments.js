/**
 * Appointments on the kiosk (docs/scheduling.md): « J'ai un rendez-vous » → the 6-digit pad → check-in
 * (`appointment.check_in`); the reservation banner on home, which hides the walk-in partners it would clash with;
 * an appointment-only partner's tile leads to the pad. After a check-in the call is an ordinary call: kiosk.js
 * follows its `call` frames.
 */

import { t } from "./format.js";
import { NumberPad, codeSlots } from "./pad.js";

export const CODE_LENGTH = 6;
/** A booking made after the snapshot shows within this delay (bookings emit no event to kiosks). */
export const REFRESH_MS = 5 * 60 * 1000;
/** Refusals after which typing the code again helps; the others call for the host staff. */
const RETYPE = new Set(["code_malformed", "code_unknown"]);

export function installAppointments(kiosk) {
  const { state, socket, show, role } = kiosk;
  const local = { reservation: null, takesAppointments: false, pending: false, refresh: null, refreshEvery: null };
  const submit = role("appointment-submit");
  const pad = new NumberPad(role("appointment-pad"), {
    prefix: "appointment",
    maxLength: CODE_LENGTH,
    onChange: renderCode,
  });

  function renderCode(digits) {
    const display = role("appointment-code");
    display.dataset.value = digits;
    role("appointment-code-slots").textContent = codeSlots(digits, CODE_LENGTH);
    role("appointment-code-spoken").textContent = t("appointment.typed", { n: digits.length, total: CODE_LENGTH });
    submit.disabled = digits.length !== CODE_LENGTH || local.pending;
  }

  function setMessage(text, { retype = true } = {}) {
    const message = role("appointment-message");
    message.textContent = text || "";
    message.hidden = !text;
    role("appointment-help").hidden = !text || retype;
  }

  function openPad(partner = null) {
    state.selectedId = partner ? partner.id : null;
    local.pending = false;
    pad.set("");
    setMessage("");
    role("appointment-callback").hidden = !(partner && partner.mode === "appointment_only");
    show("appointment");
  }

  function checkIn() {
    if (pad.digits.length !== CODE_LENGTH || local.pending) return;
    if (!socket.send({ type: "appointment.check_in", code: pad.digits })) {
      setMessage(t("error.not_sent"));
      return;
    }
    // Leaving from now on wipes the page: the code was typed on it.
    state.callTouched = true;
    local.pending = true;
    renderCode(pad.digits);
  }

  function timeOf(iso) {
    const parts = Object.fromEntries(
      new Intl.DateTimeFormat("fr-FR", {
        timeZone: document.body.dataset.timeZone || "Europe/Paris",
        hour: "numeric",
        minute: "2-digit",
        hourCycle: "h23",
      })
        .formatToParts(new Date(iso))
        .map((part) => [part.type, part.value]),
    );
    return t("time", { h: Number(parts.hour), mm: parts.minute });
  }

  function renderHomeExtras() {
    const reservation = local.reservation;
    const banner = role("reservation-banner");
    banner.hidden = !reservation;
    if (reservation) {
      role("reservation-text").textContent = t("reservation.banner", { time: timeOf(reservation.starts_at) });
      banner.dataset.partnerId = String(reservation.partner_id);
    }
    const appointmentOnly = Array.from(state.partners.values()).some((p) => p.mode === "appointment_only");
    role("home-appointment").hidden = !(local.takesAppointments || reservation || appointmentOnly);
  }

  function scheduleRefresh(changesAt) {
    // The reservation starts and ends by the clock, with no event: ask for a fresh snapshot then.
    clearTimeout(local.refresh);
    const at = changesAt ? new Date(changesAt).getTime() : NaN;
    if (Number.isFinite(at)) {
      const delay = Math.min(Math.max(at - Date.now() + 1000, 1000), 2 ** 31 - 1);
      local.refresh = setTimeout(() => socket.resync(), delay);
    }
    if (!local.refreshEvery) {
      local.refreshEvery = setInterval(() => {
        if (state.screen === "home") socket.resync();
      }, REFRESH_MS);
    }
  }

  kiosk.actions["appointment-open"] = () => openPad();
  kiosk.actions["appointment-submit"] = checkIn;

  return {
    onSnapshot(msg) {
      local.reservation = msg.reservation || null;
      local.takesAppointments = Boolean(msg.takes_appointments);
      scheduleRefresh(msg.reservation_changes_at);
    },
    afterRender: renderHomeExtras,
    hidesPartner(id) {
      const reservation = local.reservation;
      return Boolean(reservation && (reservation.hidden_partner_ids || []).includes(id));
    },
    /** An appointment-only partner is reached by its code only. */
    choose(partner) {
      if (partner.mode !== "appointment_only" && partner.state !== "appointment_only") return false;
      openPad(partner);
      return true;
    },
    /** `appointment` and the `error` answering a check-in; true when the frame was this module's. */
    onEvent(msg) {
      if (msg.type === "appointment") {
        local.pending = false;
        const appointment = msg.appointment || {};
        if (!state.call) {
          state.requesting = true;
          state.selectedId = appointment.partner_id;
          const partner = state.partners.get(appointment.partner_id);
          const name = partner ? partner.short_name || partner.name : "";
          kiosk.setText("partner-name", name);
          kiosk.setText("waiting-status", t("waiting.requesting", { partner: name }));
          show("waiting");
        }
        return true;
      }
      if (msg.type === "error" && local.pending && state.screen === "appointment") {
        local.pending = false;
        const retype = RETYPE.has(msg.code);
        if (retype) pad.set("");
        else renderCode(pad.digits);
        setMessage(msg.message || t("error.not_sent"), { retype });
        return true;
      }
      return false;
    },
  };
}
