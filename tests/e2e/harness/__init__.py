"""The browser suite's harness: real processes on loopback, Chromium, an aiortc peer, axe-core, and waiting.

See docs/testing.md. The fixtures that use these live in tests/e2e/conftest.py.
"""

from tests.e2e.harness.a11y import a11y_violations, assert_no_serious_a11y_violations
from tests.e2e.harness.browser import (
    CHROMIUM_ARGS,
    PEER_GLOBAL,
    enrol_kiosk,
    frames_decoded,
    launch_chromium,
    login,
    selected_candidate_pair,
)
from tests.e2e.harness.peers import AiortcPeer, AsyncioThread, PatternVideoTrack, rtc_configuration
from tests.e2e.harness.processes import AsgiServer, StaticSite, TurnServer, free_port, http_get
from tests.e2e.harness.waiting import wait_until

__all__ = [
    "CHROMIUM_ARGS",
    "PEER_GLOBAL",
    "AiortcPeer",
    "AsgiServer",
    "AsyncioThread",
    "PatternVideoTrack",
    "StaticSite",
    "TurnServer",
    "a11y_violations",
    "assert_no_serious_a11y_violations",
    "enrol_kiosk",
    "frames_decoded",
    "free_port",
    "http_get",
    "launch_chromium",
    "login",
    "rtc_configuration",
    "selected_candidate_pair",
    "wait_until",
]
