"""axe-core in the page, against WCAG 2.2 A and AA (the kiosk rule: no serious or critical violation).

axe-core's script comes from the `axe-playwright-python` package (it ships axe.min.js, MPL-2.0), so the check
runs offline; `AXE_VERSION` says which axe-core it is.
"""

import re

from axe_playwright_python.base import AXE_SCRIPT
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page

WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
BLOCKING_IMPACTS = ("serious", "critical")
AXE_VERSION = (re.search(r"axe v([\d.]+)", AXE_SCRIPT[:200]) or [None, "unknown"])[1]

_axe = Axe()


def a11y_violations(page: Page, *, context: str | dict | None = None, tags: list[str] = WCAG_TAGS) -> list[dict]:
    """axe-core's violations on the page as it is now (or within `context`, a CSS selector or axe context)."""
    options = {"runOnly": {"type": "tag", "values": list(tags)}, "resultTypes": ["violations"]}
    return _axe.run(page, context=context, options=options).response["violations"]


def format_violations(violations: list[dict]) -> str:
    """One block per violation: impact, rule, help text and link, then each offending element."""
    lines = []
    for violation in violations:
        lines.append(f"[{violation['impact']}] {violation['id']}: {violation['help']} ({violation['helpUrl']})")
        for node in violation["nodes"]:
            target = " ".join(str(part) for part in node["target"])
            summary = " ".join(line.strip() for line in node.get("failureSummary", "").splitlines())
            lines.append(f"    {target}: {summary}")
            lines.append(f"        {node.get('html', '')[:200]}")
    return "\n".join(lines)


def assert_no_serious_a11y_violations(
    page: Page, *, context: str | dict | None = None, impacts: tuple[str, ...] = BLOCKING_IMPACTS
) -> None:
    """Fails with a readable list when axe finds a violation of impact `impacts` (serious, critical) on the page.

    Check every screen and every state the kiosk can show: call it after each step of a journey that changes
    what is on screen (open a dialog, enlarge the text, show an error).
    """
    blocking = [v for v in a11y_violations(page, context=context) if v["impact"] in impacts]
    if blocking:
        raise AssertionError(
            f"axe-core {AXE_VERSION} found {len(blocking)} {'/'.join(impacts)} WCAG 2.2 violation(s) on {page.url}:\n"
            + format_violations(blocking)
        )
