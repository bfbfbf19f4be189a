/**
 * Nobody left at the kiosk: after IDLE_AFTER_MS without a touch on a screen where the resident is deciding, the
 * dialog « Êtes-vous toujours là ? » counts IDLE_COUNTDOWN_S seconds down, then goes home (which wipes the page
 * once a call was asked for). Home itself, the waiting, the call and the thanks never ask.
 * Any touch or key re-arms the timer; Escape on the dialog means "I am here".
 * Adds to `kiosk`: armIdle (show() calls it on every screen); touch: idle-continue.
 */

import { t } from "./format.js";
import { role, setText } from "./screens.js";

export const IDLE_AFTER_MS = 60000;
export const IDLE_COUNTDOWN_S = 30;
/** Screens where nobody is made to hurry: home itself, and while the resident waits or talks. */
const NO_IDLE_SCREENS = new Set(["loading", "home", "waiting", "call", "thanks", "offline"]);

export function installIdle(kiosk) {
  const { state, timers } = kiosk;

  function armIdle() {
    clearTimeout(timers.idle);
    if (NO_IDLE_SCREENS.has(state.screen) || state.wiping) return;
    if (role("idle-dialog").open) return;
    timers.idle = setTimeout(askStillThere, IDLE_AFTER_MS);
  }

  function askStillThere() {
    if (NO_IDLE_SCREENS.has(state.screen)) return;
    const dialog = role("idle-dialog");
    let left = IDLE_COUNTDOWN_S;
    setText("idle-countdown", t("idle.countdown", { n: left }));
    dialog.showModal();
    clearInterval(timers.countdown);
    timers.countdown = setInterval(() => {
      left -= 1;
      setText("idle-countdown", t("idle.countdown", { n: Math.max(left, 0) }));
      if (left <= 0) {
        clearInterval(timers.countdown);
        dialog.close();
        kiosk.goHome();
      }
    }, 1000);
  }

  function stillHere() {
    clearInterval(timers.countdown);
    const dialog = role("idle-dialog");
    if (dialog.open) dialog.close();
    armIdle();
  }

  Object.assign(kiosk, { armIdle });
  kiosk.actions["idle-continue"] = stillHere;

  for (const type of ["pointerdown", "keydown", "touchstart"]) {
    document.addEventListener(type, () => {
      if (!role("idle-dialog").open) armIdle();
    }, { passive: true, capture: true });
  }

  // Escape on the idle question means "I am here"; on the help panel, it closes it (the browser's default).
  role("idle-dialog").addEventListener("cancel", (event) => {
    event.preventDefault();
    stillHere();
  });
}
