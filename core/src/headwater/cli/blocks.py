"""`headwater block ls / types / type ls / inspect / create / delete`: saved blocks, secrets masked.

Listing and inspecting never decrypt anything: secret fields are stored
encrypted one by one, so they print as `********` without needing the key.
`create` asks for each field (secrets without echo), or takes `--set` /
`--from-file` for scripts; it never prints a value it was given.
"""

from __future__ import annotations

from typing import Any

import click

from headwater.cli.runs import OUTPUT_OPTION, echo_json, echo_table, fmt_time


def _storage() -> Any:
    from headwater.blocks.documents import get_block_storage

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


def _package_of(class_path: str, distributions: dict[str, list[str]]) -> str:
    """The distribution that ships a block class ("headwater-aws"), else its top module."""
    top = class_path.partition(":")[0].split(".")[0]
    return (distributions.get(top) or [top.replace("_", "-")])[0]


def _type_fields(slug: str, classes: dict[str, Any], record: Any) -> list[dict[str, Any]]:
    from headwater.cli.block_fields import block_fields

    cls = classes.get(slug)
    if cls is None:  # saved from a module not imported here: what the record kept
        return [
            {"name": n, "type": f.get("type"), "required": None, "secret": None}
            for n, f in (record.fields or {}).items()
        ]
    return [
        {
            "name": f.path,
            "type": f.type,
            "required": f.required,
            "secret": f.secret,
            "description": f.description,
        }
        for f in block_fields(cls)
    ]


def _yes(flag: bool | None) -> str:
    return "?" if flag is None else "yes" if flag else "no"


def _types(output: str, slug: str | None = None) -> None:
    from headwater.blocks.registry import known_block_types

    classes = known_block_types()
    known = {s: cls._type_record() for s, cls in classes.items()}
    for record in _storage().read_types():
        known.setdefault(record.slug, record)
    if slug is not None and slug not in known:
        raise click.ClickException(
            f"No block type {slug!r}. Known block types: {', '.join(sorted(known))}."
        )
    records = [known[s] for s in sorted(known) if slug is None or s == slug]
    from importlib.metadata import packages_distributions

    distributions = dict(packages_distributions())
    entries = [
        {
            "slug": r.slug,
            "name": r.name,
            "package": _package_of(r.class_path, distributions),
            "class": r.class_path,
            "capabilities": r.capabilities,
            "description": r.description,
            "fields": _type_fields(r.slug, classes, r),
        }
        for r in records
    ]
    if output == "json":
        echo_json(entries)
        return
    rows = [
        [e["slug"], e["name"], e["package"], ", ".join(e["capabilities"]) or "-",
         (e["description"] or "").split("\n")[0][:60]]
        for e in entries
    ]  # fmt: skip
    echo_table(["SLUG", "NAME", "PACKAGE", "CAPABILITIES", "DESCRIPTION"], rows)
    for entry in entries:
        click.echo(f"\n{entry['slug']} ({entry['package']}): fields")
        field_rows = [
            [f["name"], str(f["type"]), _yes(f["required"]), _yes(f["secret"])]
            for f in entry["fields"]
        ]
        for line in _table_lines(["FIELD", "TYPE", "REQUIRED", "SECRET"], field_rows):
            click.echo(f"  {line}")


def _table_lines(header: list[str], rows: list[list[str]]) -> list[str]:
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    return ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in [header, *rows]]  # fmt: skip


@block_group.command("types")
@click.argument("slug", required=False)
@OUTPUT_OPTION
def types(slug: str | None, output: str) -> None:
    """List block types, their package and their fields (name, type, required, secret)."""
    _types(output, slug)


@block_group.group("type")
def type_group() -> None:
    """Block types (Prefect's `block type ls` spelling)."""


@type_group.command("ls")
@click.argument("slug", required=False)
@OUTPUT_OPTION
def type_ls(slug: str | None, output: str) -> None:
    """List block types, their package and their fields."""
    _types(output, slug)


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


def _block_type(name: str) -> Any:
    """The class for a slug ("aws-credentials"), a class name or a type name."""
    from headwater.blocks.errors import BlockTypeNotFoundError
    from headwater.blocks.registry import block_class, known_block_types

    try:
        return block_class(name)
    except BlockTypeNotFoundError as exc:
        for cls in known_block_types().values():
            if name in (cls.__name__, cls.get_block_type_name()):
                return cls
        raise click.ClickException(f"{exc} See `headwater block types`.") from None


def _values_from_file(path: str) -> dict[str, Any]:
    import json

    try:
        with open(path, encoding="utf-8") as f:
            values = json.load(f)
    except OSError as exc:
        raise click.BadParameter(f"cannot read {path!r}: {exc.strerror}", param_hint="--from-file")
    except ValueError as exc:
        raise click.BadParameter(
            f"{path!r} is not valid JSON ({exc}); write one object of field values, "
            'e.g. {"region_name": "eu-west-1"}',
            param_hint="--from-file",
        ) from None
    if not isinstance(values, dict):
        raise click.BadParameter(
            f"{path!r} holds a {type(values).__name__}; write one JSON object of field values",
            param_hint="--from-file",
        )
    return values


@block_group.command("create")
@click.argument("block_type", metavar="TYPE")
@click.argument("name")
@click.option(
    "--set",
    "assignments",
    multiple=True,
    metavar="FIELD=VALUE",
    help="A field's value (repeatable). Nested fields as outer.inner=VALUE; JSON values "
    "are accepted; a block field takes a saved block as SLUG/NAME.",
)
@click.option(
    "--from-file",
    type=click.Path(dir_okay=False),
    help="A JSON file with an object of field values (--set values override it).",
)
@click.option("--overwrite", is_flag=True, help="Replace a saved block of the same name.")
def create(
    block_type: str, name: str, assignments: tuple[str, ...], from_file: str | None, overwrite: bool
) -> None:
    """Create and save a block of TYPE (a slug from `headwater block types`) as NAME.

    With no --set or --from-file, asks for each field; secrets are read
    without echo, so they never reach your shell history.
    """
    import pydantic

    from headwater.blocks.errors import BlockExistsError
    from headwater.cli.block_fields import (
        apply_assignment,
        describe_errors,
        load_references,
        prompt_values,
    )

    cls = _block_type(block_type)
    slug = cls.get_block_type_slug()
    if "/" in name:
        raise click.BadParameter(f"{name!r}: a block name may not contain '/'", param_hint="NAME")
    if not overwrite and _storage().read_document(slug, name) is not None:
        raise click.ClickException(
            f"A {slug!r} block named {name!r} is already saved; pass --overwrite to replace it "
            "or choose another name."
        )
    if assignments or from_file:
        values = _values_from_file(from_file) if from_file else {}
        for assignment in assignments:
            apply_assignment(values, cls, assignment)
    else:
        values = prompt_values(cls)
    load_references(values, cls)
    try:
        block = cls.model_validate(values)
    except pydantic.ValidationError as exc:
        lines = describe_errors(exc, cls, values)
        raise click.ClickException(
            f"Cannot create {slug}/{name}: {len(lines)} problem(s)\n" + "\n".join(lines)
        ) from None
    try:
        block.save(name, overwrite=overwrite)
    except BlockExistsError:
        raise click.ClickException(
            f"A {slug!r} block named {name!r} is already saved; pass --overwrite to replace it."
        ) from None
    doc = _storage().read_document(slug, name)
    secrets = ", ".join(doc.secret_fields) if doc is not None and doc.secret_fields else "none"
    click.echo(f"Saved block {slug}/{name}. Secret fields (stored encrypted): {secrets}.")
    click.echo(f'Load it with {cls.__name__}.load("{name}") or Block.load("{slug}/{name}").')
