"""Polling with a deadline: the only way the browser suite waits (never a fixed sleep, never a frame rate)."""

import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def wait_until(condition: Callable[[], T], timeout: float = 10.0, *, interval: float = 0.05, message: str = "") -> T:
    """Calls `condition` until it returns a truthy value, and returns that value.

    Raises AssertionError once `timeout` seconds have passed, with `message` (or the condition's name) and the
    last value seen. `interval` is only the pause between two polls, so a condition met early returns early.
    Exceptions raised by `condition` propagate at once: a page that crashed should not be polled for 10 s.
    """
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() >= deadline:
            what = message or getattr(condition, "__name__", repr(condition))
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}; last value: {value!r}")
        time.sleep(interval)
