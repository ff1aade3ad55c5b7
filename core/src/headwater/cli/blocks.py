"""`headwater block ls / types / type ls / inspect / delete`: saved blocks, secrets masked.

Listing and inspecting never decrypt anything: secret fields are stored
encrypted one by one, so they print as `********` without needing the key.
"""

from __future__ import annotations

from typing import Any

import click

from headwater.cli.runs import OUTPUT_OPTION, echo_json, echo_table, fmt_time


def _storage() -> Any:
    from headwater.blocks.storage import get_block_storage

    return get_block_storage()


def _split(ref: str) -> tuple[str, str]:
    slug, sep, name = ref.partition("/")
    if not sep or not slug or not name:
        raise click.BadParameter(
            f"{ref!r} is not SLUG/NAME (e.g. secret/db-password)", param_hint="SLUG/NAME"
        )
    return slug, name


def _missing(storage: Any, slug: str, name: str) -> click.ClickException:
    from headwater.blocks.core import _not_found_message

    return click.ClickException(
        _not_found_message(storage, slug, name) + " See `headwater block ls`."
    )


@click.group("block")
def block_group() -> None:
    """Saved blocks: configuration and credentials (secrets are always masked)."""


@block_group.command("ls")
@OUTPUT_OPTION
def ls(output: str) -> None:
    """List saved blocks."""
    docs = _storage().list_documents()
    if output == "json":
        echo_json(
            [
                {"id": d.id, "slug": d.block_type_slug, "name": d.name, "updated": d.updated}
                for d in docs
            ]
        )
        return
    if not docs:
        click.echo("No blocks saved.")
        return
    rows = [
        [d.id[:8], d.block_type_slug, d.name, f"{d.block_type_slug}/{d.name}", fmt_time(d.updated)]
        for d in docs
    ]
    echo_table(["ID", "TYPE", "NAME", "SLUG/NAME", "UPDATED"], rows)


def _types(output: str) -> None:
    from headwater.blocks.registry import known_block_types

    known = {slug: cls._type_record() for slug, cls in known_block_types().items()}
    for record in _storage().read_types():
        known.setdefault(record.slug, record)
    records = [known[s] for s in sorted(known)]
    if output == "json":
        echo_json(
            [
                {
                    "slug": r.slug,
                    "name": r.name,
                    "class": r.class_path,
                    "capabilities": r.capabilities,
                    "description": r.description,
                }
                for r in records
            ]
        )
        return
    rows = [
        [
            r.slug,
            r.name,
            ", ".join(r.capabilities) or "-",
            (r.description or "").split("\n")[0][:60],
        ]
        for r in records
    ]
    echo_table(["SLUG", "NAME", "CAPABILITIES", "DESCRIPTION"], rows)


@block_group.command("types")
@OUTPUT_OPTION
def types(output: str) -> None:
    """List block types (registered by core and plugins, or saved here)."""
    _types(output)


@block_group.group("type")
def type_group() -> None:
    """Block types (Prefect's `block type ls` spelling)."""


@type_group.command("ls")
@OUTPUT_OPTION
def type_ls(output: str) -> None:
    """List block types."""
    _types(output)


@block_group.command("inspect")
@click.argument("ref", metavar="SLUG/NAME")
@OUTPUT_OPTION
def inspect(ref: str, output: str) -> None:
    """Show a saved block's fields; secret fields print as ********."""
    from headwater.blocks.serialization import masked

    slug, name = _split(ref)
    storage = _storage()
    doc = storage.read_document(slug, name)
    if doc is None:
        raise _missing(storage, slug, name)
    data = masked(doc.data)
    if output == "json":
        echo_json(
            {
                "id": doc.id,
                "slug": slug,
                "name": name,
                "data": data,
                "secret_fields": doc.secret_fields,
            }
        )
        return
    click.echo(f"Block {slug}/{name}  (id {doc.id})")
    click.echo(f"Updated: {fmt_time(doc.updated)}")
    for key, value in data.items():
        click.echo(f"  {key}: {value}")


@block_group.command("delete")
@click.argument("ref", metavar="SLUG/NAME")
def delete(ref: str) -> None:
    """Delete a saved block."""
    slug, name = _split(ref)
    storage = _storage()
    if not storage.delete_document(slug, name):
        raise _missing(storage, slug, name)
    click.echo(f"Deleted block {slug}/{name}.")
