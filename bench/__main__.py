"""`make bench`: runs every benchmark module of this folder and prints one `name: value unit` line per figure.

Each bench_*.py has a `run()` that yields (name, value, unit). Tests never assert times; neither does this.
"""

import importlib
import pkgutil
import sys
from pathlib import Path


def main() -> int:
    folder = Path(__file__).parent
    names = sorted(m.name for m in pkgutil.iter_modules([str(folder)]) if m.name.startswith("bench_"))
    if not names:
        print("no benchmark yet", file=sys.stderr)
    failed = []
    for name in names:
        # One benchmark that breaks must not hide the others' figures.
        try:
            module = importlib.import_module(f"bench.{name}")
            for figure, value, unit in module.run():
                print(f"{figure}: {value} {unit}", flush=True)
        except Exception as error:
            print(f"{name} failed: {error!r}", file=sys.stderr, flush=True)
            failed.append(name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
