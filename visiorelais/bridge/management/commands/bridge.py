"""`visiorelais bridge`: the kiosk bridge daemon (docs/bridge.md), or its enrolment with `--enrol CODE`."""

import asyncio
import logging
import signal
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from visiorelais.bridge.daemon import Bridge
from visiorelais.bridge.printers import PRINTERS, printer_create
from visiorelais.bridge.scanners import SCANNERS, ScanOptions, scanner_create
from visiorelais.bridge.server import ServerClient, ServerError, token_read, token_write
from visiorelais.bridge.workdir import WorkingFolder


class Command(BaseCommand):
    help = (
        "Runs the kiosk bridge: connects to the server as this kiosk, scans (SANE) and prints (CUPS) on its "
        "command, wipes its working folder after each call. Opens no local port. With --enrol CODE, exchanges "
        "an enrolment code for the device token, writes it to --token-file (0600) and exits."
    )
    requires_system_checks = []
    requires_migrations_checks = False

    def add_arguments(self, parser):
        parser.add_argument("--server", required=True, help="the server's URL, e.g. https://visio.example.fr")
        parser.add_argument("--token-file", required=True, type=Path, help="the device token's file (0600)")
        parser.add_argument("--enrol", metavar="CODE", help="enrol this kiosk with a one-time code, then exit")
        parser.add_argument("--printer", metavar="QUEUE", help="the CUPS queue (default: the default destination)")
        parser.add_argument(
            "--scanner", metavar="DEVICE", help="the SANE device, e.g. `test` (default: the first one found)"
        )
        parser.add_argument(
            "--scanner-arg",
            action="append",
            default=[],
            metavar="ARG",
            help="an argument added to every scanimage call (repeatable), e.g. --scanner-arg=--swcrop=yes",
        )
        parser.add_argument("--scanner-driver", default="sane", choices=sorted(SCANNERS))
        parser.add_argument("--printer-driver", default="cups", choices=sorted(PRINTERS))
        parser.add_argument("--resolution", type=int, default=300, help="scan resolution in dpi (default 300)")
        parser.add_argument(
            "--max-pages", type=int, default=50, help="most pages taken from the feeder in one scan (default 50)"
        )
        parser.add_argument(
            "--workdir",
            type=Path,
            default=Path("/var/lib/visiorelais-bridge/work"),
            help="the working folder, one 0700 folder per call, wiped after each call",
        )

    def handle(self, *args, **options):
        self.configure_logging(options["verbosity"])
        try:
            client = ServerClient(options["server"])
        except ValueError as error:
            raise CommandError(str(error)) from None
        if options["enrol"]:
            self.enrol(client, options["enrol"], options["token_file"])
            return
        token_file: Path = options["token_file"]
        if token_read(token_file) is None:
            raise CommandError(f"no device token in {token_file}: run with --enrol CODE first")
        bridge = Bridge(
            server=client,
            token=lambda: token_read(token_file),
            scanner=scanner_create(
                options["scanner_driver"],
                device=options["scanner"],
                page_limit=options["max_pages"],
                extra_args=options["scanner_arg"],
            ),
            printer=printer_create(options["printer_driver"], queue=options["printer"]),
            workdir=WorkingFolder(options["workdir"]),
            scan_defaults=ScanOptions(resolution=options["resolution"]),
        )
        asyncio.run(self.serve(bridge))

    def enrol(self, client: ServerClient, code: str, token_file: Path) -> None:
        try:
            answer = client.enrol_sync(code)
        except ServerError as error:
            raise CommandError(f"enrolment refused: {error.message or error}") from None
        token_write(token_file, answer["token"])
        kiosk = answer.get("kiosk", {})
        self.stdout.write(f"Borne enrôlée : {kiosk.get('code', '?')} ({kiosk.get('label', '')}).")
        self.stdout.write(f"Jeton écrit dans {token_file} (0600).")

    async def serve(self, bridge: Bridge) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(signum, stop.set)
        await bridge.run(stop)

    @staticmethod
    def configure_logging(verbosity: int) -> None:
        level = logging.DEBUG if verbosity > 1 else logging.INFO if verbosity == 1 else logging.WARNING
        logger = logging.getLogger("visiorelais.bridge")
        if not logger.handlers:
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
            logger.addHandler(handler)
        logger.setLevel(level)
        logger.propagate = False
