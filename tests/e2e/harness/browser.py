"""Debian's Chromium driven by Playwright (sync API), and what the suite reads from a page's WebRTC connection.

Page convention (every page of the app that holds a call, and the harness's own test pages):
    `window.__visiorelaisPeer` is the page's RTCPeerConnection while the call lasts (peer.js sets it in start()
    and deletes it in close()). The helpers below read getStats() from it; a page without it reads as 0 frames.
"""

from playwright.sync_api import Browser, BrowserContext, Page, Playwright

CHROMIUM = "/usr/bin/chromium"

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--use-fake-ui-for-media-stream",
    "--use-fake-device-for-media-stream",
    "--allow-loopback-in-peer-connection",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
    "--autoplay-policy=no-user-gesture-required",
    "--no-proxy-server",
    # Real addresses in host candidates instead of .local names: there is no mDNS on a loopback-only namespace,
    # and aiortc must be able to reach the browser's candidates.
    "--disable-features=WebRtcHideLocalIpsWithMdns",
]

PEER_GLOBAL = "__visiorelaisPeer"

_FRAMES_DECODED = """(name) => {
  const pc = window[name];
  if (!pc) return 0;
  return pc.getStats().then((stats) => {
    let frames = 0;
    stats.forEach((report) => {
      if (report.type === "inbound-rtp" && report.kind === "video") frames += report.framesDecoded || 0;
    });
    return frames;
  });
}"""

_SELECTED_PAIR = """(name) => {
  const pc = window[name];
  if (!pc) return null;
  return pc.getStats().then((stats) => {
    let pairId = null;
    stats.forEach((report) => {
      if (report.type === "transport" && report.selectedCandidatePairId) pairId = report.selectedCandidatePairId;
    });
    const pair = pairId && stats.get(pairId);
    if (!pair) return null;
    const local = stats.get(pair.localCandidateId) || {};
    const remote = stats.get(pair.remoteCandidateId) || {};
    return {
      state: pair.state,
      local: {type: local.candidateType, protocol: local.protocol, address: local.address, port: local.port},
      remote: {type: remote.candidateType, protocol: remote.protocol, address: remote.address, port: remote.port},
    };
  });
}"""


def launch_chromium(playwright: Playwright, *, headless: bool = True) -> Browser:
    """Debian's Chromium (never a browser downloaded by `playwright install`), with a fake camera and microphone."""
    return playwright.chromium.launch(executable_path=CHROMIUM, headless=headless, args=CHROMIUM_ARGS)


def frames_decoded(page: Page, *, peer: str = PEER_GLOBAL) -> int:
    """Video frames the page has decoded so far on `window[peer]` (summed over its inbound video streams)."""
    return int(page.evaluate(_FRAMES_DECODED, peer))


def selected_candidate_pair(page: Page, *, peer: str = PEER_GLOBAL) -> dict | None:
    """The ICE candidate pair in use on `window[peer]`: `{"state", "local": {"type", …}, "remote": {…}}`.

    `local["type"]` is "host", "srflx", "prflx" or "relay" (through TURN). None until a pair is selected.
    """
    return page.evaluate(_SELECTED_PAIR, peer)


def login(context: BrowserContext | Page, user, *, origin: str) -> None:
    """Logs `user` in for `origin` without a password: a Django session written to the shared database.

    The live server reads the session because it shares the database and SECRET_KEY with the test process.
    """
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    context = context.context if isinstance(context, Page) else context
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    context.add_cookies([{"name": cookie.key, "value": cookie.value, "url": origin, "httpOnly": True}])


def enrol_kiosk(context: BrowserContext | Page, kiosk, *, origin: str):
    """Makes the browser context `kiosk`'s device, as enrolment would: a device token (issued and exchanged
    through the enrolment services, in the shared database) in the kiosk's HttpOnly cookie. Returns the token."""
    from visiorelais.accounts.auth import KIOSK_COOKIE
    from visiorelais.accounts.services import kiosk_enrol, kiosk_enrolment_issue

    _, code = kiosk_enrolment_issue(kiosk=kiosk, issued_by=None)
    token, raw = kiosk_enrol(code=code)
    context = context.context if isinstance(context, Page) else context
    context.add_cookies([{"name": KIOSK_COOKIE, "value": raw, "url": origin, "httpOnly": True, "sameSite": "Strict"}])
    return token
