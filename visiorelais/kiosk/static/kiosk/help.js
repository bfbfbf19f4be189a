/**
 * Help and reading comfort, on every screen: the help panel, with the site's staff and phone (its opening sends
 * `help.request`, which the server logs), and the large-text switch (a class on <html>, until the page reloads).
 * Touches: help, help-close, large-text.
 */

import { role } from "./screens.js";

export function installHelp(kiosk) {
  Object.assign(kiosk.actions, {
    help: () => {
      role("help-panel").showModal();
      kiosk.socket.send({ type: "help.request" });
    },
    "help-close": () => role("help-panel").close(),
    "large-text": (button) => {
      const on = document.documentElement.classList.toggle("large-text");
      button.setAttribute("aria-pressed", String(on));
    },
  });
}
