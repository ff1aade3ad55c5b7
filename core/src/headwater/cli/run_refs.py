"""Which run a user means: a full id, the short id `ls` shows, an id prefix or a run name.

Run ids are UUIDv7: the first 12 hex digits are the creation time in
milliseconds, the same for every run started within the same ~minute at 8
digits; the last 12 are random. So the short id `ls` shows is the end of the
id (the last 8 characters, more if two listed runs share them), the way git
shortens a commit hash, and anything that names a run accepts it.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import click

from headwater.cli.runs import fmt_time, state_label
from headwater.history.base import RunHistory

SHORT_ID_LENGTH = 8
#: how many candidates an "ambiguous" error lists
SHOWN_CANDIDATES = 10


def short_ids(ids: Sequence[str]) -> list[str]:
    """The last N characters of each id, N (at least 8) the smallest that keeps them apart."""
    distinct = len(set(ids))
    for length in range(SHORT_ID_LENGTH, max((len(i) for i in ids), default=0) + 1):
        tails = [run_id[-length:] for run_id in ids]
        if len(set(tails)) == distinct:
            return tails
    return list(ids)


def resolve_run(store: RunHistory, kind: str, ref: str) -> dict[str, Any]:
    """The one `kind` ("flow" or "task") run `ref` names, or a ClickException saying why not."""
    found = store.find_runs(kind, ref, limit=SHOWN_CANDIDATES + 1)
    exact = [run for run in found if run["id"] == ref]
    if exact:
        return exact[0]
    if len(found) == 1:
        return found[0]
    hint = f"headwater {kind}-run ls"
    if not found:
        raise click.ClickException(
            f"No {kind} run found with id or name {ref!r}. "
            f"Run `{hint}` to see recent {kind} runs and their ids."
        )
    listed = found[:SHOWN_CANDIDATES]
    more = "\n  ... and more" if len(found) > SHOWN_CANDIDATES else ""
    lines = "\n".join(
        f"  {run['id']}  {run['name']}  {state_label(run)}  {fmt_time(run.get('start_time'))}"
        for run in listed
    )
    raise click.ClickException(
        f"{ref!r} matches more than one {kind} run:\n{lines}{more}\n"
        f"Give more characters of the id, or the full id."
    )
