"""A progress bar for the command line, drawn on stderr only when it is a terminal.

Shared by the commands that wait for long work (``cohub transcribe``,
``cohub import-media --wait``). Piped or redirected output gets no bar, so a
log or a file of results holds no carriage-return noise.
"""

from __future__ import annotations

import math
import shutil
import sys
from typing import TextIO


def _duration(seconds: float) -> str:
    seconds = max(0, math.ceil(seconds))
    if seconds < 60:
        return f"{seconds} s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes} min {seconds:02d} s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min"


class ProgressBar:
    """``label [#####.....]  45%  about 12 s left``, redrawn in place.

    ``stream`` defaults to stderr; ``enabled`` defaults to whether that is a
    terminal. Call :meth:`update` as often as you like and :meth:`close` at
    the end (or use it as a context manager).
    """

    def __init__(self, label: str, *, stream: TextIO | None = None, enabled: bool | None = None):
        self.label = label
        self.stream = stream if stream is not None else sys.stderr
        self.enabled = self.stream.isatty() if enabled is None else enabled
        self._last = ""

    def line(self, fraction: float, seconds_left: float | None, width: int | None = None) -> str:
        """The text of the bar (without the carriage return), fit to ``width`` columns."""
        width = width or shutil.get_terminal_size((80, 20)).columns
        fraction = max(0.0, min(1.0, fraction))
        percent = f"{math.floor(fraction * 100):3d}%"
        left = "" if seconds_left is None else f"  about {_duration(seconds_left)} left"
        if fraction >= 1.0:
            left = "  done"
        label = self.label if len(self.label) <= 30 else self.label[:29] + "…"
        room = max(10, width - len(label) - len(percent) - len(left) - 6)
        filled = round(room * fraction)
        return f"{label} [{'#' * filled}{'.' * (room - filled)}] {percent}{left}"[: width - 1]

    def update(self, fraction: float, seconds_left: float | None = None) -> None:
        if not self.enabled:
            return
        text = self.line(fraction, seconds_left)
        if text != self._last:
            padding = " " * max(0, len(self._last) - len(text))
            self.stream.write(f"\r{text}{padding}")
            self.stream.flush()
            self._last = text

    def close(self) -> None:
        if self.enabled and self._last:
            self.stream.write("\n")
            self.stream.flush()
        self._last = ""

    def __enter__(self) -> ProgressBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
