"""`headwater config ...`: set, unset, view and validate the active profile's settings.

As Prefect's `prefect config`: values go into the active profile in
profiles.toml; the environment still overrides them (set warns when it does).
Secret settings (HEADWATER_API_KEY, ...) are masked unless `--show-secrets`.
"""

from __future__ import annotations

import click

from headwater import settings
from headwater.cli.profiles import active_name, profile_errors, read_or_fail, shown, write_or_fail
from headwater.profiles import canonical_name


def _active() -> str:
    return active_name(read_or_fail())


def _checked(name: str, value: str) -> None:
    """Refuse a value the setting cannot parse, naming it (before anything is written)."""
    try:
        settings.SETTINGS[name].parse(value)
    except ValueError as exc:
        raise click.ClickException(f"{exc}; nothing was changed") from None


@click.group("config")
def config_group() -> None:
    """The active profile's settings: set, unset, view, validate."""


@config_group.command("set")
@click.argument("assignments", nargs=-1, required=True, metavar="KEY=VALUE...")
def set_settings(assignments: tuple[str, ...]) -> None:
    """Set settings in the active profile: headwater config set HEADWATER_API_URL=..."""
    profiles = read_or_fail()
    profile = _active()
    with profile_errors():
        values = profiles.get(profile)
    parsed: list[tuple[str, str]] = []
    for assignment in assignments:
        key, sep, value = assignment.partition("=")
        if not sep:
            raise click.ClickException(
                f"{assignment!r} is not KEY=VALUE; e.g. headwater config set "
                "HEADWATER_LOGGING_LEVEL=DEBUG"
            )
        with profile_errors():
            name, prefect_name = canonical_name(key)
        if prefect_name:
            click.echo(f"{prefect_name} is Prefect's name; stored as {name}.", err=True)
        _checked(name, value)
        parsed.append((name, value))
    for name, value in parsed:
        values[name] = value
    write_or_fail(profiles)
    for name, value in parsed:
        click.echo(f"Set {name!r} to {shown(name, value)!r}.")
        if settings.setting_source(name) == "env" and settings.raw(name) != value:
            click.echo(
                f"{name} is also set in the environment, which overrides the profile; "
                f"run `unset {name}` to use this value.",
                err=True,
            )
    click.echo(f"Updated profile {profile!r}.")


@config_group.command("unset")
@click.argument("keys", nargs=-1, required=True)
def unset_settings(keys: tuple[str, ...]) -> None:
    """Remove settings from the active profile (their defaults apply again)."""
    profiles = read_or_fail()
    profile = _active()
    with profile_errors():
        values = profiles.get(profile)
        names = [canonical_name(key)[0] for key in keys]
    missing = [name for name in names if name not in values]
    if missing:
        raise click.ClickException(
            f"{', '.join(missing)} not set in profile {profile!r}; nothing was changed "
            "(`headwater config view` shows what is set)"
        )
    for name in names:
        del values[name]
        click.echo(f"Unset {name!r}.")
    write_or_fail(profiles)
    click.echo(f"Updated profile {profile!r}.")


@config_group.command("view")
@click.option(
    "--show-sources/--hide-sources", default=True, help="Say where each value comes from."
)
@click.option("--show-secrets", is_flag=True, help="Show secret values instead of masking them.")
@click.option("--show-defaults", is_flag=True, help="List settings left at their defaults too.")
def view_settings(show_sources: bool, show_secrets: bool, show_defaults: bool) -> None:
    """Show the settings in effect: from the environment, the profile, or defaults."""
    profile = _active()
    with profile_errors():
        read_or_fail().get(profile)
    click.echo(f"HEADWATER_PROFILE={profile!r}")
    for name in sorted(settings.SETTINGS):
        if name == "HEADWATER_PROFILE":
            continue
        source = settings.setting_source(name)
        if source == "default":
            if not show_defaults:
                continue
            value = settings.SETTINGS[name].default()
            text = "" if value is None else settings.as_text(value)
        else:
            text = settings.raw(name) or ""
        suffix = f" (from {source})" if show_sources else ""
        click.echo(f"{name}='{shown(name, text, show_secrets)}'{suffix}")


@config_group.command("validate")
def validate_settings() -> None:
    """Check the active profile: known names, parseable values; Prefect names renamed."""
    profiles = read_or_fail()
    profile = _active()
    with profile_errors():
        values = profiles.get(profile)
    renamed: list[str] = []
    problems: list[str] = []
    for key in list(values):
        try:
            name, _ = canonical_name(key)
        except ValueError as exc:
            problems.append(str(exc))
            continue
        try:
            settings.SETTINGS[name].parse(values[key])
        except ValueError as exc:
            problems.append(str(exc))
        if name != key:
            values[name] = values.pop(key)
            renamed.append(f"{key} -> {name}")
    if renamed:
        write_or_fail(profiles)
        click.echo(f"Renamed in profile {profile!r}: {', '.join(renamed)}.")
    if problems:
        raise click.ClickException(f"Profile {profile!r} has problems:\n  " + "\n  ".join(problems))
    click.echo(f"Profile {profile!r} is valid.")
