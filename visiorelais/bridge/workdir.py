"""The bridge's working folder: one folder per call (mode 0700), deleted with everything in it when the call ends.

Scans are made and prints are downloaded only inside their call's folder, so that wiping a call is deleting
one folder, and wiping at start-up (after a crash or a power cut) leaves nothing of earlier calls. Appointment
tickets, printed outside any call, go to `tickets/`: each file is deleted once printed, and the folder goes with
everything else at start-up and shutdown.
"""

import logging
import os
import shutil
from pathlib import Path

logger = logging.getLogger(__name__)


class WorkingFolder:
    def __init__(self, root: Path):
        self.root = Path(root)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(self.root, 0o700)

    def for_call(self, call_id: int) -> Path:
        """The call's folder, created (0700) if needed."""
        folder = self.root / str(int(call_id))
        folder.mkdir(mode=0o700, exist_ok=True)
        return folder

    def for_tickets(self) -> Path:
        """The folder of appointment tickets (printed outside any call), created (0700) if needed."""
        folder = self.root / "tickets"
        folder.mkdir(mode=0o700, exist_ok=True)
        return folder

    def wipe(self, call_id: int) -> int:
        """Deletes the call's folder; returns how many files it held (0 when there was none)."""
        return self._delete(self.root / str(int(call_id)))

    def leftovers(self) -> list[int]:
        """The calls that still have a folder."""
        return sorted(int(entry.name) for entry in self.root.iterdir() if entry.is_dir() and entry.name.isdigit())

    def wipe_all(self, *, keep: int | None = None) -> dict[int, int]:
        """Deletes everything in the working folder but the folder of call `keep`; returns the files deleted
        per call (anything that is not a call's folder is deleted too, and counted under call 0)."""
        wiped: dict[int, int] = {}
        for entry in self.root.iterdir():
            call_id = int(entry.name) if entry.is_dir() and entry.name.isdigit() else 0
            if keep is not None and call_id == keep:
                continue
            wiped[call_id] = wiped.get(call_id, 0) + self._delete(entry)
        return wiped

    def files(self) -> list[Path]:
        return sorted(path for path in self.root.rglob("*") if not path.is_dir())

    @staticmethod
    def _delete(path: Path) -> int:
        if path.is_symlink() or path.is_file():
            path.unlink(missing_ok=True)
            return 1
        if not path.is_dir():
            return 0
        count = sum(1 for item in path.rglob("*") if not item.is_dir())
        shutil.rmtree(path, onerror=lambda *args: logger.warning("could not delete %s", args[1]))
        return count
