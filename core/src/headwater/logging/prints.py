"""`log_prints=True`: print() inside a run becomes an INFO line in the run's logs.

`builtins.print` is wrapped once, on the first run that asks for it; the
wrapper costs one context lookup and falls through to the real print when
the current run does not log prints or the print targets another file
(`sys.stdout`, wrapped by the console while it has lines pending, or not, is
not another file).
"""

from __future__ import annotations

import builtins
import sys
from typing import Any

from headwater.logging.console import unwrapped

_original_print = builtins.print
_installed = False


def install_print_capture() -> None:
    global _installed
    if _installed:
        return
    builtins.print = _print
    _installed = True


def _print(
    *args: Any, sep: str | None = " ", end: str | None = "\n", file: Any = None, flush: bool = False
) -> None:
    if file is None or file is sys.stdout or file is unwrapped(sys.stdout):
        from headwater.context import _flow_run, _task_run

        task_ctx = _task_run.get()
        ctx = task_ctx if task_ctx is not None else _flow_run.get()
        if ctx is not None and ctx.log_prints:
            from headwater.logging import get_run_logger

            get_run_logger(ctx).info((sep if sep is not None else " ").join(str(a) for a in args))
            return
    _original_print(*args, sep=sep, end=end, file=file, flush=flush)
