"""Database URLs as they may be shown (password masked), and connection errors explained.

HEADWATER_DATABASE_URL is a secret setting: its password never reaches a log line,
an error, CLI output or an API answer. Everything here that names the database
names it through `masked`.
"""

from __future__ import annotations

import re

from headwater.exceptions import RunStoreError

__all__ = ["explain", "masked", "scrub"]

_USERINFO = re.compile(r"(://[^:/@]*:)[^@]*@")


def masked(url: str) -> str:
    """`url` with its password replaced by ***, even when SQLAlchemy cannot parse it."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return _USERINFO.sub(r"\1***@", url)


def password(url: str) -> str | None:
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(url).password
    except (ArgumentError, ValueError):
        found = re.search(r"://[^:/@]*:([^@]*)@", url)
        return found.group(1) if found else None


def scrub(text: str, url: str) -> str:
    """`text` with `url`'s password (and the whole raw URL) masked."""
    secret = password(url)
    text = text.replace(url, masked(url))
    if secret:
        text = text.replace(secret, "***")
    return text


def explain(exc: BaseException, url: str) -> RunStoreError:
    """A RunStoreError naming the database (password masked), what went wrong and the fix."""
    shown = masked(url)
    detail = scrub(str(getattr(exc, "orig", None) or exc).strip().splitlines()[0], url)
    low = detail.lower()
    if "password authentication failed" in low or "no password supplied" in low:
        fix = "check the user and password in HEADWATER_DATABASE_URL"
    elif "does not exist" in low and "database" in low:
        fix = "create that database (createdb NAME, or CREATE DATABASE) or fix its name in the URL"
    elif "connection refused" in low or "could not connect" in low or "timeout" in low:
        fix = "start the PostgreSQL server, or fix the host and port in HEADWATER_DATABASE_URL"
    elif "no module named" in low or "can't load plugin" in low:
        fix = 'install the driver: pip install "headwater-server[postgres]"'
    elif "alembic_version" in low or "no such table" in low or "undefinedtable" in low:
        fix = "create the tables: headwater server database upgrade"
    else:
        fix = "check HEADWATER_DATABASE_URL and that the database server is up"
    return RunStoreError(f"the run history database {shown} cannot be used ({detail}); {fix}")
