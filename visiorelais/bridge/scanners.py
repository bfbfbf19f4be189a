"""Scanner drivers: a small base class, a registry, and the SANE driver that runs `scanimage`.

A driver scans every page the device gives (all of the feeder, or one flatbed page) into a folder, calling
`on_page` after each page, and raises ScanFailed with one of the reasons of docs/documents.md when it cannot.
`pages_to_pdf` turns the pages into the one PDF the bridge uploads.
"""

import asyncio
import contextlib
import logging
import os
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import ClassVar

from PIL import Image

logger = logging.getLogger(__name__)

PageCallback = Callable[[int, Path], Awaitable[None]]
# docs/documents.md, scan.failed
SCAN_FAILURE_REASONS = ("jammed", "no_docs", "cover_open", "no_scanner", "error")


class ScanFailed(Exception):
    """A scan that produced no document; `reason` is one of SCAN_FAILURE_REASONS, `detail` is for the log."""

    def __init__(self, reason: str, detail: str = ""):
        assert reason in SCAN_FAILURE_REASONS, reason
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason
        self.detail = detail


@dataclass(frozen=True)
class ScanOptions:
    """What the server asks for (scan.start `options`); a driver takes the device's nearest equivalent."""

    resolution: int = 300
    mode: str = "Gray"  # "Gray" or "Color"
    source: str = "ADF"  # "ADF" (every page of the feeder, when there is one) or "Flatbed" (one page)


class Scanner:
    """Base class of scanner drivers. Subclasses set `name`, register with @register_scanner, and implement
    `scan` and `health`. One scan at a time: the daemon never calls `scan` twice concurrently."""

    name: ClassVar[str]

    async def scan(self, *, folder: Path, options: ScanOptions, on_page: PageCallback) -> list[Path]:
        """Scans into `folder` and returns the page images in order; raises ScanFailed. Cancelling the task
        stops the device."""
        raise NotImplementedError

    async def health(self) -> dict:
        """`{"present": bool, "ready": bool, "detail": str, "adf": bool}` (docs/documents.md, `health`; `adf`:
        the scanner has a document feeder, so the server asks for every page of it)."""
        raise NotImplementedError


SCANNERS: dict[str, type[Scanner]] = {}


def register_scanner(cls: type[Scanner]) -> type[Scanner]:
    SCANNERS[cls.name] = cls
    return cls


def scanner_create(driver: str, **options) -> Scanner:
    """The scanner driver registered as `driver`, built with `options`; KeyError names the known ones."""
    try:
        cls = SCANNERS[driver]
    except KeyError:
        raise KeyError(f"unknown scanner driver {driver!r} (known: {', '.join(sorted(SCANNERS))})") from None
    return cls(**options)


def pages_to_pdf(pages: Sequence[Path], pdf: Path, *, resolution: int) -> Path:
    """Appends each page image to `pdf` (created by the first), one page each, at `resolution` dpi.

    Pages are added one at a time, so a long feeder never holds more than one decoded page in memory."""
    for page in pages:
        with Image.open(page) as image:
            dpi = float(image.info.get("dpi", (resolution, resolution))[0]) or float(resolution)
            image.save(pdf, "PDF", resolution=dpi, append=pdf.exists())
    return pdf


@dataclass
class SaneCapabilities:
    """The values a SANE device offers for the options the bridge sets, read from `scanimage -A`."""

    modes: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    resolutions: list[int] = field(default_factory=list)
    resolution_range: tuple[int, int] | None = None

    OPTION_LINE: ClassVar[re.Pattern] = re.compile(r"^\s+--(mode|source|resolution) (.+?) \[[^\]]*\]\s*$")

    @classmethod
    def parse(cls, text: str) -> "SaneCapabilities":
        caps = cls()
        for line in text.splitlines():
            match = cls.OPTION_LINE.match(line)
            if not match:
                continue
            name, values = match.groups()
            values = re.sub(r"\s*\(in steps of [^)]*\)", "", values)
            if name == "resolution":
                values = values.removesuffix("dpi")
                if ".." in values:
                    low, high = values.split("..", 1)
                    caps.resolution_range = (int(float(low)), int(float(high)))
                else:
                    caps.resolutions = [int(float(v)) for v in values.split("|") if v.strip()]
            elif name == "mode":
                caps.modes = values.split("|")
            else:
                caps.sources = values.split("|")
        return caps

    def resolution_for(self, wanted: int) -> int | None:
        if self.resolution_range:
            low, high = self.resolution_range
            return min(max(wanted, low), high)
        if self.resolutions:
            return min(self.resolutions, key=lambda value: (abs(value - wanted), -value))
        return None

    def mode_for(self, wanted: str) -> str | None:
        words = ("gray", "grey") if wanted.lower().startswith("gr") else ("color", "colour")
        return next((mode for mode in self.modes if any(word in mode.lower() for word in words)), None)

    def feeder(self) -> str | None:
        return next((s for s in self.sources if "feeder" in s.lower() or "adf" in s.lower()), None)

    def flatbed(self) -> str | None:
        return next((s for s in self.sources if "flatbed" in s.lower()), None)


# scanimage exits with the SANE status of the failing call (sane/sane.h); its messages are the fallback.
SANE_EXIT_REASONS = {6: "jammed", 7: "no_docs", 8: "cover_open"}
SANE_MESSAGE_REASONS = (
    ("jammed", "jammed"),
    ("out of documents", "no_docs"),
    ("cover is open", "cover_open"),
    ("open of device", "no_scanner"),
    ("no scanners were identified", "no_scanner"),
)


def sane_failure_reason(returncode: int, stderr: str) -> str:
    if returncode in SANE_EXIT_REASONS:
        return SANE_EXIT_REASONS[returncode]
    lowered = stderr.lower()
    return next((reason for text, reason in SANE_MESSAGE_REASONS if text in lowered), "error")


def feeder_emptied(returncode: int, stderr: str, pages: list[Path]) -> bool:
    """Whether scanimage stopped because the feeder ran out after some pages (the normal end of a batch) rather
    than for a fault while reading a page: "sane_start: … out of documents", never "sane_read: …"."""
    return returncode == 7 and bool(pages) and "sane_start" in stderr and "sane_read" not in stderr


@register_scanner
class SaneCommandScanner(Scanner):
    """A SANE device through the `scanimage` command (sane-utils).

    `device`: a SANE device name (`scanimage -L`), or None to take the first device found. `page_limit`: the most
    pages one scan takes from a feeder (the server's DOCUMENT_MAX_PAGES). `extra_args` are added to every scan
    (device-specific options; the tests force faults with `--read-return-value`). SANE_CONFIG_DIR and the other
    SANE variables come from the environment.
    """

    name = "sane"
    command = "scanimage"
    probe_timeout = 30.0

    def __init__(self, *, device: str | None = None, page_limit: int = 50, extra_args: Sequence[str] = ()):
        self.device = device
        self.page_limit = page_limit
        self.extra_args = list(extra_args)
        # One use of the device at a time: a health probe never opens it under a scan (a USB scanner would refuse).
        self.device_lock = asyncio.Lock()
        self._capabilities: dict[str, SaneCapabilities] = {}

    def environment(self) -> dict[str, str]:
        # Messages are matched in English; the C locale also keeps decimal points as points.
        return {**os.environ, "LC_ALL": "C"}

    async def run(self, *args: str, timeout: float | None = None) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            self.command,
            *args,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=self.environment(),
        )
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(), timeout)
        except (TimeoutError, asyncio.CancelledError):
            await stop_process(process)
            raise
        return process.returncode, stdout.decode(errors="replace"), stderr.decode(errors="replace")

    async def device_name(self) -> str:
        """The configured device, or the first one SANE finds; ScanFailed("no_scanner") when there is none."""
        if self.device:
            return self.device
        try:
            _, stdout, _ = await self.run("--formatted-device-list=%d%n", timeout=self.probe_timeout)
        except (OSError, TimeoutError) as error:
            raise ScanFailed("no_scanner", str(error)) from None
        devices = [line.strip() for line in stdout.splitlines() if line.strip()]
        if not devices:
            raise ScanFailed("no_scanner", "no SANE device found")
        return devices[0]

    async def capabilities(self, device: str) -> SaneCapabilities:
        if device not in self._capabilities:
            returncode, stdout, stderr = await self.run("-d", device, "--all-options", timeout=self.probe_timeout)
            if returncode != 0:
                raise ScanFailed(sane_failure_reason(returncode, stderr), stderr.strip())
            self._capabilities[device] = SaneCapabilities.parse(stdout)
        return self._capabilities[device]

    async def command_line(self, *, folder: Path, options: ScanOptions) -> tuple[str, list[str]]:
        device = await self.device_name()
        caps = await self.capabilities(device)
        args = ["-d", device, "--format=png", f"--batch={folder}/page-%03d.png", "--batch-print"]
        resolution = caps.resolution_for(options.resolution)
        if resolution:
            args.append(f"--resolution={resolution}")
        mode = caps.mode_for(options.mode)
        if mode:
            args += ["--mode", mode]
        feeder = caps.feeder() if options.source == "ADF" else None
        source = feeder or caps.flatbed()
        if source:
            args += ["--source", source]
        # A flatbed gives one page; a feeder gives pages until it is empty, within the limit.
        args.append(f"--batch-count={self.page_limit if feeder else 1}")
        return device, args + self.extra_args

    async def scan(self, *, folder: Path, options: ScanOptions, on_page: PageCallback) -> list[Path]:
        async with self.device_lock:
            return await self._scan(folder=folder, options=options, on_page=on_page)

    async def _scan(self, *, folder: Path, options: ScanOptions, on_page: PageCallback) -> list[Path]:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            device, args = await self.command_line(folder=folder, options=options)
            logger.info("scanning from %s: %s", device, " ".join(args))
            process = await asyncio.create_subprocess_exec(
                self.command,
                *args,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=self.environment(),
            )
            stderr_task = asyncio.create_task(process.stderr.read())
            pages: list[Path] = []
            try:
                # --batch-print writes each page's file name once the page is complete.
                async for line in process.stdout:
                    page = Path(line.decode(errors="replace").strip())
                    if page.is_file():
                        pages.append(page)
                        await on_page(len(pages), page)
                returncode = await process.wait()
                stderr = (await stderr_task).decode(errors="replace")
            except asyncio.CancelledError:
                await stop_process(process)
                stderr_task.cancel()
                raise
        except OSError as error:
            raise ScanFailed("no_scanner", str(error)) from None
        if returncode != 0 and not feeder_emptied(returncode, stderr, pages):
            raise ScanFailed(sane_failure_reason(returncode, stderr), stderr.strip()[-500:])
        if not pages:
            raise ScanFailed("no_docs", stderr.strip()[-500:])
        return pages

    async def health(self) -> dict:
        if self.device_lock.locked():
            adf = any(caps.feeder() for caps in self._capabilities.values())
            return {"present": True, "ready": False, "detail": "busy", "adf": adf}
        async with self.device_lock:
            return await self._health()

    async def _health(self) -> dict:
        try:
            device = await self.device_name()
            returncode, _, stderr = await self.run("-d", device, "--dont-scan", timeout=self.probe_timeout)
        except ScanFailed as failure:
            return {"present": False, "ready": False, "detail": failure.detail or failure.reason}
        except (OSError, TimeoutError) as error:
            return {"present": False, "ready": False, "detail": str(error) or type(error).__name__}
        if returncode != 0:
            reason = sane_failure_reason(returncode, stderr)
            return {"present": reason != "no_scanner", "ready": False, "detail": reason}
        try:
            adf = (await self.capabilities(device)).feeder() is not None
        except (ScanFailed, OSError, TimeoutError):
            adf = False
        return {"present": True, "ready": True, "detail": device, "adf": adf}


async def stop_process(process: asyncio.subprocess.Process, *, timeout: float = 5.0) -> None:
    """SIGTERM, then SIGKILL after `timeout` seconds; returns once the process is gone."""
    if process.returncode is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        process.terminate()
    try:
        await asyncio.wait_for(asyncio.shield(process.wait()), timeout)
    except TimeoutError:
        with contextlib.suppress(ProcessLookupError):
            process.kill()
        await process.wait()
