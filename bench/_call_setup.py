"""The call-setup benchmark's inside: run by bench_call_setup.py in a loopback-only network namespace.

    python -m bench._call_setup --calls 20     (refuses to run where any interface but lo exists)

It serves the demo network (uvicorn, coturn and Chromium as the browser suite starts them: tests/e2e/harness),
seats the CAF demo agent in one Chromium page, opens the Coutances kiosk in another, and makes `--calls` calls
(after one warm-up call, not counted). Each is measured in the browsers: the time of the agent's click on
"Accepter" (a capture listener on the console page), and on each page the first time a 20 ms poll of getStats()
sees framesDecoded > 0. Both times are `performance.timeOrigin + performance.now()`, the same clock for the two
pages. Setup = the later first frame − the click. Prints one JSON object: {"setup_ms": [...]}.
"""

import argparse
import json
import os
import secrets
import sys
import tempfile
from pathlib import Path

# In-page instrumentation, installed before the app's scripts on every load: it only reads the click and the
# page's RTCPeerConnection (the window.__visiorelaisPeer convention of docs/testing.md).
PROBE = """
(() => {
  const now = () => performance.timeOrigin + performance.now();
  const bench = (window.__callSetupBench = { acceptAt: null, firstFrameAt: null, pc: null });
  document.addEventListener("click", (event) => {
    if (event.target.closest && event.target.closest('[data-testid="ringing-accept"]')) {
      bench.acceptAt = now();
      bench.firstFrameAt = null;
    }
  }, true);
  setInterval(async () => {
    const pc = window.__visiorelaisPeer;
    if (!pc) return;
    if (pc !== bench.pc) {
      bench.pc = pc;
      bench.firstFrameAt = null;
    }
    if (bench.firstFrameAt !== null) return;
    const stats = await pc.getStats();
    let frames = 0;
    stats.forEach((report) => {
      if (report.type === "inbound-rtp" && report.kind === "video") frames += report.framesDecoded || 0;
    });
    if (frames > 0 && bench.firstFrameAt === null && bench.pc === pc) bench.firstFrameAt = now();
  }, 20);
})();
"""
READ = (
    "() => { const b = window.__callSetupBench || {}; return { acceptAt: b.acceptAt, firstFrameAt: b.firstFrameAt }; }"
)


def setup_django(data_dir: Path) -> None:
    os.environ.update(
        DJANGO_SETTINGS_MODULE="visiorelais.settings",
        VISIORELAIS_DATA_DIR=str(data_dir),
        DEBUG="1",
        SECRET_KEY=secrets.token_urlsafe(40),
        # Playwright's sync API leaves an idle event loop registered in this thread (see tests/e2e/conftest.py).
        DJANGO_ALLOW_ASYNC_UNSAFE="true",
    )
    for name in ("DATABASE_URL", "REDIS_URL"):
        os.environ.pop(name, None)
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", interactive=False, verbosity=0)


def one_call(kiosk, console) -> float:
    """Kiosk home → "Appeler" → the agent accepts → video both ways → hang up, rate, wrap up; returns setup ms."""
    from tests.e2e.harness import wait_until

    kiosk.expect_partner_state("CAF", "available")
    kiosk.call("CAF")
    console.expect_ringing()
    console.accept()

    def measured():
        agent, resident = console.page.evaluate(READ), kiosk.page.evaluate(READ)
        if agent.get("acceptAt") and agent.get("firstFrameAt") and resident.get("firstFrameAt"):
            return max(agent["firstFrameAt"], resident["firstFrameAt"]) - agent["acceptAt"]
        return None

    setup_ms = wait_until(measured, 30, interval=0.05, message="first decoded frame on both sides")
    kiosk.hang_up()
    kiosk.by_testid("rating-skip").click()
    console.wrap_up("resolved")
    kiosk.expect_screen("home", timeout=15_000)
    return setup_ms


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=20)
    args = parser.parse_args()

    from tests.e2e.harness.processes import only_loopback_interfaces

    if only_loopback_interfaces():
        print("refused: run inside a loopback-only network namespace (bench_call_setup.py does)", file=sys.stderr)
        return 2

    with tempfile.TemporaryDirectory(prefix="bench-call-setup-") as folder:
        work = Path(folder)
        setup_django(work / "data")
        from playwright.sync_api import sync_playwright

        from tests.e2e.harness import AsgiServer, TurnServer, enrol_kiosk, launch_chromium, login
        from tests.e2e.harness.screens import ConsoleScreen, KioskScreen
        from visiorelais.accounts.models import User
        from visiorelais.network.demo import demo_data_load
        from visiorelais.network.models import Kiosk, Station

        demo_data_load()
        agent = User.objects.get(username="agent-caf")
        kiosk_row = Kiosk.objects.get(code="BRN-COUT-01")
        station = Station.objects.filter(partner=agent.partner, active=True).order_by("label", "pk").first()

        (work / "coturn").mkdir()
        turn = TurnServer(work_dir=work / "coturn")
        turn.start()
        server = AsgiServer(
            data_dir=work / "data",
            env={
                "SECRET_KEY": os.environ["SECRET_KEY"],
                "PARTNERS_ALWAYS_OPEN": "1",
                "STUN_URLS": ",".join(turn.stun_urls),
                "TURN_URLS": ",".join(turn.urls),
                "TURN_SECRET": turn.secret,
            },
            log_path=work / "uvicorn.log",
        )
        try:
            server.start()
            with sync_playwright() as playwright:
                browser = launch_chromium(playwright)
                pages = {}
                for name in ("agent", "kiosk"):
                    context = browser.new_context(base_url=server.url, locale="fr-FR")
                    context.grant_permissions(["camera", "microphone"], origin=server.url)
                    context.add_init_script(PROBE)
                    pages[name] = context.new_page()
                login(pages["agent"], agent, origin=server.url)
                enrol_kiosk(pages["kiosk"], kiosk_row, origin=server.url)
                console = ConsoleScreen(pages["agent"]).open()
                console.take_station(station)
                kiosk = KioskScreen(pages["kiosk"]).open()
                one_call(kiosk, console)  # warm-up: codecs, caches
                samples = [one_call(kiosk, console) for _ in range(args.calls)]
                browser.close()
        finally:
            server.stop()
            turn.stop()
    print(json.dumps({"setup_ms": [round(sample, 1) for sample in samples]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
