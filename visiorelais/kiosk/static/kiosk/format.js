/**
 * The kiosk's pure helpers, with no side effect, so that the browser suite can import and test them:
 * words (from the page's <template id="kiosk-strings">), durations and opening times in French, the server's
 * partner and call objects in one shape, and a readable ink for a partner's colour.
 */

import { fillIn, readWords } from "../visiorelais/words.js";

let STRINGS = {};
let timeZone = "Europe/Paris";

/** Reads the translated words from `template` (a <template> of [data-key] elements) and the site's time zone. */
export function loadWords(template, zone = timeZone) {
  STRINGS = readWords(template);
  timeZone = zone;
}

/** The translated string `key`, with {name} placeholders filled from `params`. */
export function t(key, params = {}) {
  return fillIn(STRINGS[key] ?? key, params);
}

/** "environ 12 minutes" for 700 s; "" when the wait is unknown. */
export function formatDuration(seconds) {
  if (typeof seconds !== "number" || !Number.isFinite(seconds) || seconds < 0) return "";
  if (seconds < 60) return t("duration.under_minute");
  const minutes = Math.round(seconds / 60);
  if (minutes === 1) return t("duration.minute");
  if (minutes < 60) return t("duration.minutes", { n: minutes });
  return t("duration.hours", { h: Math.floor(minutes / 60), mm: String(minutes % 60).padStart(2, "0") });
}

function dayKey(date) {
  return new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit" }).format(date);
}

/** "aujourd'hui à 13 h 30", "demain à 9 h 00", "lundi 12 mai à 9 h 00", in the site's time zone. */
export function formatOpening(iso, now = new Date()) {
  const date = iso ? new Date(iso) : null;
  if (!date || Number.isNaN(date.getTime())) return "";
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat("fr-FR", { timeZone, hour: "numeric", minute: "2-digit", hourCycle: "h23" })
      .formatToParts(date)
      .map((part) => [part.type, part.value]),
  );
  const time = t("time", { h: Number(parts.hour), mm: parts.minute });
  const tomorrow = new Date(now.getTime() + 24 * 3600 * 1000);
  if (dayKey(date) === dayKey(now)) return t("opening.today", { time });
  if (dayKey(date) === dayKey(tomorrow)) return t("opening.tomorrow", { time });
  const day = new Intl.DateTimeFormat("fr-FR", { timeZone, weekday: "long", day: "numeric", month: "long" }).format(date);
  return t("opening.later", { date: day, time });
}

// What the server says, in one shape (docs/realtime.md names; calls/events.py names accepted too).

export function pick(raw, keys, fallback) {
  for (const key of keys) if (raw && key in raw) return raw[key];
  return fallback;
}

/** A partner from a snapshot or a `partner` event, merged over what was known (events may be partial). */
export function normalisePartner(raw, previous = {}) {
  const partner = { ...previous, ...raw };
  partner.id = pick(raw, ["id", "partner_id"], previous.id);
  partner.estimated_wait_s = pick(raw, ["estimated_wait_s", "estimated_wait_seconds"], previous.estimated_wait_s);
  partner.topics = Array.isArray(partner.topics) ? partner.topics : [];
  if (partner.mode === "appointment_only") partner.state = "appointment_only";
  else if (partner.state === "closed" && partner.closed_reason === "no_station_staffed") partner.state = "unstaffed";
  return partner;
}

export function normaliseCall(raw) {
  return {
    ...raw,
    id: pick(raw, ["id", "call_id"], null),
    estimated_wait_s: pick(raw, ["estimated_wait_s", "estimated_wait_seconds"], null),
  };
}

/** Black or white, whichever reads better on `hex` (either gives at least 4.5:1 on any colour). */
export function inkFor(hex) {
  const match = /^#([0-9a-f]{6})$/i.exec(hex || "");
  if (!match) return "#ffffff";
  const channel = (i) => {
    const c = parseInt(match[1].slice(i, i + 2), 16) / 255;
    return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  };
  const luminance = 0.2126 * channel(0) + 0.7152 * channel(2) + 0.0722 * channel(4);
  return (luminance + 0.05) / 0.05 >= 1.05 / (luminance + 0.05) ? "#000000" : "#ffffff";
}
