"""`headwater profile ...`: create, switch, list, inspect, rename and delete profiles.

Profiles live in HEADWATER_HOME/profiles.toml (see `headwater.profiles`), as
Prefect's `prefect profile` commands keep them in ~/.prefect/profiles.toml.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import click

from headwater import settings
from headwater.profiles import ProfileError, ProfilesFile, read_profiles, write_profiles

MASK = "********"


@contextmanager
def profile_errors() -> Iterator[None]:
    try:
        yield
    except ProfileError as exc:
        raise click.ClickException(str(exc)) from None


def read_or_fail() -> ProfilesFile:
    with profile_errors():
        return read_profiles()


def write_or_fail(profiles: ProfilesFile) -> None:
    try:
        write_profiles(profiles)
    except OSError as exc:
        raise click.ClickException(
            f"Cannot write profiles.toml in {settings.home()}: {exc.strerror or exc}; "
            "set HEADWATER_HOME to a writable directory"
        ) from None


def active_name(profiles: ProfilesFile) -> str:
    """The profile this command works on: HEADWATER_PROFILE / --profile, else the file's."""
    return settings.raw("HEADWATER_PROFILE") or profiles.active


def shown(name: str, value: str, show_secrets: bool = False) -> str:
    """`value` for display: masked when `name` is a secret setting, unless asked."""
    setting = settings.SETTINGS.get(name)
    if value and setting is not None and setting.is_secret and not show_secrets:
        return MASK
    return value


@click.group("profile")
def profile_group() -> None:
    """Profiles: named sets of settings (API URL, API key, ...) to switch between."""


@profile_group.command("ls")
def list_profiles() -> None:
    """List profiles; the active one is marked with *."""
    profiles = read_or_fail()
    active = active_name(profiles)
    for name in sorted(profiles.profiles):
        click.echo(f"* {name}" if name == active else f"  {name}")


@profile_group.command("create")
@click.argument("name")
@click.option("--from", "source", default=None, help="Copy the settings of this profile.")
def create_profile(name: str, source: str | None) -> None:
    """Create profile NAME (empty, or a copy of --from)."""
    profiles = read_or_fail()
    if name in profiles.profiles:
        raise click.ClickException(
            f"Profile {name!r} already exists; switch to it with `headwater profile use "
            f"{name}`, or delete it first with `headwater profile delete {name}`"
        )
    with profile_errors():
        values = dict(profiles.get(source)) if source else {}
    profiles.profiles[name] = values
    write_or_fail(profiles)
    click.echo(f"Created profile {name!r}" + (f" from {source!r}" if source else "") + ".")
    click.echo(f"Switch to your new profile with: headwater profile use {name}")


@profile_group.command("use")
@click.argument("name")
def use_profile(name: str) -> None:
    """Make NAME the active profile (for every later command and run)."""
    profiles = read_or_fail()
    with profile_errors():
        values = profiles.get(name)
    profiles.active = name
    write_or_fail(profiles)
    click.echo(f"Profile {name!r} is now active.")
    overridden = settings.raw("HEADWATER_PROFILE")
    if overridden and overridden != name:
        click.echo(
            f"Note: HEADWATER_PROFILE={overridden} is set in this shell and wins over the "
            "file; unset it to use this profile here.",
            err=True,
        )
    api_url = values.get("HEADWATER_API_URL")
    where = f"the server at {api_url}" if api_url else f"the embedded store in {settings.home()}"
    click.echo(f"Runs record to {where}.")


@profile_group.command("inspect")
@click.argument("name", required=False)
@click.option("--show-secrets", is_flag=True, help="Show secret values instead of masking them.")
def inspect_profile(name: str | None, show_secrets: bool) -> None:
    """Show the settings of profile NAME (default: the active one)."""
    profiles = read_or_fail()
    name = name or active_name(profiles)
    with profile_errors():
        values = profiles.get(name)
    if not values:
        click.echo(f"Profile {name!r} is empty.")
    for key in sorted(values):
        click.echo(f"{key}='{shown(key, values[key], show_secrets)}'")


@profile_group.command("rename")
@click.argument("name")
@click.argument("new_name")
def rename_profile(name: str, new_name: str) -> None:
    """Rename profile NAME to NEW_NAME (the active one stays active)."""
    profiles = read_or_fail()
    with profile_errors():
        values = profiles.get(name)
    if new_name in profiles.profiles:
        raise click.ClickException(
            f"Profile {new_name!r} already exists; pick another name or delete it first"
        )
    del profiles.profiles[name]
    profiles.profiles[new_name] = values
    if profiles.active == name:
        profiles.active = new_name
    write_or_fail(profiles)
    click.echo(f"Renamed profile {name!r} to {new_name!r}.")


@profile_group.command("delete")
@click.argument("name")
@click.option("-y", "--yes", is_flag=True, help="Do not ask for confirmation.")
def delete_profile(name: str, yes: bool) -> None:
    """Delete profile NAME (not the active one: switch first)."""
    profiles = read_or_fail()
    with profile_errors():
        profiles.get(name)
    if name == profiles.active:
        raise click.ClickException(
            f"Profile {name!r} is the active profile; switch to another one first "
            "(`headwater profile use NAME`)"
        )
    if not yes and not click.confirm(f"Delete profile {name!r}?", default=False):
        raise click.exceptions.Exit(1)
    del profiles.profiles[name]
    write_or_fail(profiles)
    click.echo(f"Removed profile {name!r}.")
