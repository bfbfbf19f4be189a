"""Real test peripherals for the bridge (DESIGN.md, "Real components and how tests start them").

SaneTestConfig   a private SANE_CONFIG_DIR: dll.conf holds only `test` (the machine-wide list probes the
                 network), test.conf widens the test scanner's area to A4.
PrivateCups      a private `cupsd -f` child listening on DIR/socket, with its own ServerBin whose backend writes
                 each job to a PDF in an output folder, and one queue (the generic PDF printer of cups-filters,
                 A4). Started and awaited by polling with a deadline, stopped by its pid.
"""

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pikepdf

from bench._servers import wait_until

CUPS_LIB = Path("/usr/lib/cups")
GENERIC_PDF_PPD = Path("/usr/share/ppd/cupsfilters/Generic-PDF_Printer-PDF.ppd")
# IPP job-state (RFC 8011)
JOB_CANCELLED, JOB_ABORTED, JOB_COMPLETED = 7, 8, 9


def missing_tools() -> list[str]:
    """The commands and files these peripherals need that this machine lacks (scripts/system-deps.sh installs them)."""
    tools = ["scanimage", "cupsd", "lpadmin", "lpstat", "cupsdisable", "cupsenable", "pdfinfo"]
    missing = [tool for tool in tools if shutil.which(tool) is None]
    return missing + [str(path) for path in (GENERIC_PDF_PPD, CUPS_LIB / "filter") if not path.exists()]


def page_count(pdf: Path) -> int:
    with pikepdf.open(pdf) as document:
        return len(document.pages)


def pdfinfo_pages(pdf: Path) -> int:
    """The page count as poppler's pdfinfo reads it (a second, independent reader)."""
    output = subprocess.run(["pdfinfo", str(pdf)], capture_output=True, text=True, check=True).stdout
    return int(next(line.split()[1] for line in output.splitlines() if line.startswith("Pages:")))


def write_pdf(path: Path, pages: int) -> Path:
    """An A4 PDF of `pages` pages, each with a line of text."""
    with pikepdf.new() as document:
        font = document.make_indirect(
            pikepdf.Dictionary(Type=pikepdf.Name.Font, Subtype=pikepdf.Name.Type1, BaseFont=pikepdf.Name.Helvetica)
        )
        for number in range(1, pages + 1):
            content = document.make_stream(f"BT /F1 24 Tf 72 760 Td (Page {number}) Tj ET".encode())
            document.pages.append(
                pikepdf.Page(
                    pikepdf.Dictionary(
                        Type=pikepdf.Name.Page,
                        MediaBox=[0, 0, 595, 842],
                        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=font)),
                        Contents=content,
                    )
                )
            )
        document.save(path)
    return path


class SaneTestConfig:
    """SANE's `test` backend alone, its scan area A4; `environment()` is what scanimage needs."""

    def __init__(self, directory: Path):
        self.directory = directory
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "dll.conf").write_text("test\n")
        shipped = Path("/etc/sane.d/test.conf")
        lines = shipped.read_text().splitlines() if shipped.exists() else []
        widened = {"geometry_max": "geometry_max 300.0", "br_x": "br_x 210.0", "br_y": "br_y 297.0"}
        kept = [line for line in lines if line.split(" ", 1)[0] not in widened]
        (directory / "test.conf").write_text("\n".join([*kept, *widened.values()]) + "\n")

    def environment(self) -> dict[str, str]:
        return {"SANE_CONFIG_DIR": str(self.directory)}


BACKEND = """#!/bin/sh
# CUPS backend of the tests: writes each job (already PDF, from the generic PDF printer's filters) to
# <folder>/job-<id>.pdf, where the device URI is pdfout:<folder>. Renamed into place once complete.
if [ $# -eq 0 ]; then echo 'file pdfout "Unknown" "Visio-relais test PDF printer"'; exit 0; fi
folder="${DEVICE_URI#pdfout:}"
partial="$folder/.job-$1.part"
if [ $# -ge 6 ]; then cat "$6" > "$partial" || exit 1; else cat > "$partial" || exit 1; fi
mv "$partial" "$folder/job-$1.pdf"
"""


class PrivateCups:
    """A private CUPS scheduler with one queue printing to PDF files in `output`.

    The folder is made under /tmp, mode 0755 (filters run as `lp`, which must reach the spool), never under
    pytest's 0700 temporary folders. Clients use `CUPS_SERVER=<socket>` (see `environment()`).
    """

    queue = "Borne"

    def __init__(self):
        self.directory = Path(tempfile.mkdtemp(prefix="visiorelais-cups-"))
        self.directory.chmod(0o755)
        self.socket = self.directory / "socket"
        self.output = self.directory / "out"
        self.error_log = self.directory / "log" / "error_log"
        self.process: subprocess.Popen | None = None

    def environment(self) -> dict[str, str]:
        return {"CUPS_SERVER": str(self.socket)}

    def write_configuration(self) -> None:
        root = self.directory
        for name in ("spool", "cache", "state", "log", "temp", "out", "serverbin/backend"):
            (root / name).mkdir(parents=True, exist_ok=True)
        self.output.chmod(0o755)
        for sub in CUPS_LIB.iterdir():
            if sub.is_dir() and sub.name != "backend":
                (root / "serverbin" / sub.name).symlink_to(sub)
        backend = root / "serverbin" / "backend" / "pdfout"
        backend.write_text(BACKEND)
        backend.chmod(0o700)  # a 0700 backend runs as root: it may write the output folder
        (root / "cups-files.conf").write_text(
            "\n".join(
                [
                    f"ServerRoot {root}",
                    f"ServerBin {root}/serverbin",
                    "DataDir /usr/share/cups",
                    f"RequestRoot {root}/spool",
                    f"TempDir {root}/temp",
                    f"CacheDir {root}/cache",
                    f"StateDir {root}/state",
                    f"AccessLog {root}/log/access_log",
                    f"ErrorLog {root}/log/error_log",
                    f"PageLog {root}/log/page_log",
                    "Printcap",
                    "User lp",
                    "Group lp",
                    "SystemGroup root",
                    "",
                ]
            )
        )
        (root / "cupsd.conf").write_text(
            f"""Listen {self.socket}
LogLevel info
Browsing No
BrowseLocalProtocols none
DefaultAuthType None
WebInterface No
MaxJobs 0
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order allow,deny
    Allow all
  </Limit>
</Policy>
"""
        )

    def command(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """A CUPS client command (lpadmin, lpstat, cupsdisable…) against this scheduler."""
        env = {**os.environ, **self.environment(), "LC_ALL": "C"}
        result = subprocess.run(args, capture_output=True, text=True, env=env, timeout=30)
        if check and result.returncode != 0:
            raise RuntimeError(f"{' '.join(args)} failed ({result.returncode}): {result.stderr}\n{self.log()}")
        return result

    def _running(self) -> bool:
        if self.process is not None and self.process.poll() is not None:
            raise RuntimeError(f"cupsd exited with {self.process.returncode}\n{self.log()}")
        return self.socket.exists() and "is running" in self.command("lpstat", "-r", check=False).stdout

    def start(self, *, timeout: float = 20.0) -> None:
        self.write_configuration()
        conf, files = self.directory / "cupsd.conf", self.directory / "cups-files.conf"
        with (self.directory / "log" / "cupsd.out").open("ab") as out:
            self.process = subprocess.Popen(
                ["cupsd", "-f", "-c", str(conf), "-s", str(files)],
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        try:
            wait_until(self._running, timeout, interval=0.05, message=f"cupsd on {self.socket}")
            self.command(
                "lpadmin", "-p", self.queue, "-E", "-v", f"pdfout:{self.output}", "-P", str(GENERIC_PDF_PPD),
                "-o", "PageSize=A4",
            )  # fmt: skip
            wait_until(self.accepting, timeout, message=f"queue {self.queue} accepting jobs")
        except BaseException:
            self.stop()
            raise

    def accepting(self) -> bool:
        return "accepting requests" in self.command("lpstat", "-a", self.queue, check=False).stdout

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)

    def remove(self) -> None:
        shutil.rmtree(self.directory, ignore_errors=True)

    def log(self) -> str:
        return self.error_log.read_text(errors="replace")[-5000:] if self.error_log.exists() else ""

    # --- What a test does to the printer --------------------------------------------------------------------

    def out_of_paper(self) -> None:
        """Stops the queue with a reason, as a printer out of paper stops it."""
        self.command("cupsdisable", "-r", "out of paper", self.queue)

    def reset(self) -> None:
        """The queue enabled and empty, the output folder empty: the state each test starts from."""
        self.command("cancel", "-a", "-x", self.queue, check=False)
        self.command("cupsenable", self.queue)
        self.command("cupsaccept", self.queue)
        for path in self.output.iterdir():
            path.unlink()

    def printed(self) -> list[Path]:
        return sorted(self.output.glob("job-*.pdf"))

    def job_state(self, job_id: int) -> int:
        import cups

        return cups.Connection(host=str(self.socket)).getJobAttributes(job_id, requested_attributes=["job-state"])[
            "job-state"
        ]

    def wait_printed(self, count: int, *, timeout: float = 20.0) -> list[Path]:
        return wait_until(
            lambda: len(self.printed()) >= count and self.printed(), timeout, message=f"{count} printed file(s)"
        )

    def settle(self, seconds: float) -> list[Path]:
        """Waits up to `seconds` for the scheduler to have no job left, then lists what was printed."""
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline and self.command("lpstat", "-o", check=False).stdout.strip():
            time.sleep(0.05)
        return self.printed()
