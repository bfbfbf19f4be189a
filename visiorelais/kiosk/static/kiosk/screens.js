/**
 * The page's helpers and its one-screen-at-a-time switch: every screen is a <section data-screen-name>, and
 * show(name) unhides that one, mirrors it on <body data-screen> (documents.js and the browser suite follow it),
 * moves the focus to its heading and re-arms the idle timer (idle.js).
 * The helpers without state are exported; those that read the kiosk's state are added to the `kiosk` context.
 */

export const $ = (selector, root = document) => root.querySelector(selector);
export const $$ = (selector, root = document) => Array.from(root.querySelectorAll(selector));
export const role = (name) => $(`[data-role="${name}"]`);

/** Writes `text` into every element of data-role `roleName` (a name may show on several screens). */
export function setText(roleName, text) {
  for (const node of $$(`[data-role="${roleName}"]`)) node.textContent = text;
}

/** Says `text` through the live region, for the screen reader. */
export function announce(text) {
  role("announcer").textContent = text;
}

export function showError(text) {
  role("error-message").textContent = text;
}

export function clearError() {
  role("error-message").textContent = "";
}

/** Mirrors the call's status on <body data-call-status>, for the browser suite. */
export function setCallStatus(status) {
  document.body.dataset.callStatus = status || "";
}

export function partnerLabel(partner) {
  return partner ? partner.short_name || partner.name || "" : "";
}

/** Adds show(name) and selectedPartner() to `kiosk`, with the helpers above that scheduling.js asks for. */
export function installScreens(kiosk) {
  const { state } = kiosk;

  function show(name) {
    if (state.wiping) return;
    const changed = state.screen !== name;
    state.screen = name;
    document.body.dataset.screen = name;
    for (const section of $$("section[data-screen-name]")) section.hidden = section.dataset.screenName !== name;
    if (changed) {
      clearError();
      const heading = $(`section[data-screen-name="${name}"] h1`);
      if (heading && !$("dialog[open]")) heading.focus({ preventScroll: true });
      window.scrollTo(0, 0);
    }
    kiosk.armIdle();
  }

  function selectedPartner() {
    return state.partners.get(state.selectedId) || null;
  }

  Object.assign(kiosk, { show, selectedPartner, setText, role, partnerLabel });
}
