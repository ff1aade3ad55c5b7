"""A block class's fields as the CLI shows and fills them.

`headwater block types` lists each field (name, type, required, secret);
`headwater block create` builds the values to validate from `--set
field=value` (dotted paths reach nested models), a JSON file, or prompts
(secrets read without echo). Validation errors are turned into lines that
name the field and the fix and never contain a value that was given.
"""

from __future__ import annotations

import difflib
import json
import types
from dataclasses import dataclass
from pathlib import PurePath
from typing import Annotated, Any, Literal, Union, get_args, get_origin

import click
import pydantic
from pydantic import BaseModel

from headwater.blocks.core import Block
from headwater.blocks.fields import is_secret_annotation

__all__ = [
    "FieldInfo",
    "apply_assignment",
    "block_fields",
    "describe_errors",
    "load_references",
    "parse_value",
    "prompt_values",
    "type_name",
]

_STRINGISH = (str, pydantic.SecretStr, pydantic.SecretBytes, PurePath)


@dataclass(frozen=True)
class FieldInfo:
    """One field: dotted path, readable type, and how it is filled."""

    path: str
    type: str
    required: bool
    secret: bool
    description: str
    annotation: Any
    default: Any = None


def _strip(annotation: Any) -> Any:
    while get_origin(annotation) is Annotated:
        annotation = get_args(annotation)[0]
    return annotation


def _arms(annotation: Any) -> list[Any]:
    """The members of a union (Optional included), else [annotation]."""
    annotation = _strip(annotation)
    if get_origin(annotation) in (Union, types.UnionType):
        return [_strip(a) for a in get_args(annotation)]
    return [annotation]


def type_name(annotation: Any) -> str:
    """A readable type: `SecretStr | None`, `dict[str, Any]`, `MinIOCredentials | AwsCredentials`."""
    annotation = _strip(annotation)
    if annotation is type(None):
        return "None"
    if annotation is Any:
        return "Any"
    origin = get_origin(annotation)
    if origin in (Union, types.UnionType):
        return " | ".join(type_name(a) for a in get_args(annotation))
    if origin is Literal:
        return " | ".join(repr(a) for a in get_args(annotation))
    if origin is not None:
        args = ", ".join(type_name(a) for a in get_args(annotation))
        name = getattr(origin, "__name__", str(origin))
        return f"{name}[{args}]" if args else name
    if isinstance(annotation, type):
        return annotation.__name__
    return str(annotation).replace("typing.", "")


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    return [a for a in _arms(annotation) if isinstance(a, type) and issubclass(a, BaseModel)]


def _blocks_in(annotation: Any) -> list[type[Block]]:
    return [m for m in _models_in(annotation) if issubclass(m, Block)]


def block_fields(cls: type[BaseModel], prefix: str = "") -> list[FieldInfo]:
    """Every field of `cls`, with nested plain models (not blocks) expanded as `outer.inner`."""
    found: list[FieldInfo] = []
    for name, field in cls.model_fields.items():
        path = f"{prefix}{name}"
        default = None if field.is_required() else field.get_default(call_default_factory=False)
        found.append(
            FieldInfo(
                path=path,
                type=type_name(field.annotation),
                required=field.is_required(),
                secret=is_secret_annotation(field.annotation),
                description=(field.description or "").strip(),
                annotation=field.annotation,
                default=default,
            )
        )
        models = _models_in(field.annotation)
        if len(models) == 1 and not issubclass(models[0], Block):
            found += block_fields(models[0], prefix=f"{path}.")
    return found


def _leaf_annotation(cls: type[BaseModel], path: list[str]) -> Any:
    """The annotation at a dotted path, or None when the path names no field."""
    models: list[type[BaseModel]] = [cls]
    annotation: Any = None
    for part in path:
        annotation = next(
            (m.model_fields[part].annotation for m in models if part in m.model_fields), None
        )
        if annotation is None:
            return None
        models = _models_in(annotation)
    return annotation


def parse_value(raw: str, annotation: Any) -> Any:
    """`raw` as the field wants it: kept as text for text fields, else JSON if it parses."""
    arms = [a for a in _arms(annotation) if a is not type(None)] if annotation is not None else []
    if arms and all(isinstance(a, type) and issubclass(a, _STRINGISH) for a in arms):
        return raw
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def apply_assignment(values: dict[str, Any], cls: type[BaseModel], assignment: str) -> str:
    """Apply one `--set a.b=value` to `values`; returns the dotted path it set."""
    path_text, sep, raw = assignment.partition("=")
    path = [p.strip() for p in path_text.split(".")]
    if not sep or not all(path):
        raise click.BadParameter(
            f"{path_text!r} is not FIELD=VALUE: write e.g. --set region_name=eu-west-1 "
            "(nested fields as outer.inner=VALUE)",
            param_hint="--set",
        )
    target = values
    for depth, part in enumerate(path[:-1]):
        inner = target.setdefault(part, {})
        if not isinstance(inner, dict):
            done = ".".join(path[: depth + 1])
            raise click.BadParameter(
                f"{done} was given a whole value, so {'.'.join(path)} cannot be set inside it; "
                f"set one or the other",
                param_hint="--set",
            )
        target = inner
    target[path[-1]] = parse_value(raw, _leaf_annotation(cls, path))
    return ".".join(path)


def load_references(values: dict[str, Any], cls: type[BaseModel]) -> None:
    """Block-typed fields given as "slug/name" become the saved block (stored as a reference)."""
    from headwater.blocks.errors import BlockNotFoundError, BlockTypeNotFoundError

    for name, field in cls.model_fields.items():
        value = values.get(name)
        if not isinstance(value, str) or not _blocks_in(field.annotation):
            continue
        try:
            values[name] = Block.load(value)
        except (BlockNotFoundError, BlockTypeNotFoundError, ValueError) as exc:
            raise click.ClickException(
                f"{name}: {exc} Give a saved block as SLUG/NAME (see `headwater block ls`), "
                f"or its fields as {name}.FIELD=VALUE."
            ) from None


def prompt_values(cls: type[BaseModel]) -> dict[str, Any]:
    """Ask for each field; Enter keeps the default. Secrets are read without echo."""
    values: dict[str, Any] = {}
    kind = getattr(cls, "get_block_type_name", lambda: cls.__name__)()
    click.echo(f"{kind}: press Enter to keep a field's default; secrets are not shown as you type.")
    for info in block_fields(cls):
        if len(_models_in(info.annotation)) == 1 and not _blocks_in(info.annotation):
            continue  # a nested model: its own fields are asked for one by one
        label = f"{info.path} ({info.type}{', required' if info.required else ''})"
        if _blocks_in(info.annotation):
            label += " - a saved block as SLUG/NAME"
        if info.description:
            click.echo(f"  {info.description}")
        while True:
            raw = click.prompt(
                label,
                default="",
                show_default=False,
                hide_input=info.secret,
                prompt_suffix=": ",
            )
            if raw or not info.required:
                break
            click.echo(f"  {info.path} is required.")
        if raw:
            apply_assignment(values, cls, f"{info.path}={raw}")
    return values


def _secret_texts(values: Any, cls: type[BaseModel] | None) -> list[str]:
    """Every value given for a secret field (to keep them out of any message)."""
    found: list[str] = []
    if not isinstance(values, dict):
        return found
    for name, value in values.items():
        field = cls.model_fields.get(name) if cls is not None else None
        if field is not None and is_secret_annotation(field.annotation):
            found.append(value if isinstance(value, str) else json.dumps(value, default=str))
        elif isinstance(value, dict):
            models = _models_in(field.annotation) if field is not None else []
            found += _secret_texts(value, models[0] if len(models) == 1 else None)
    return [s for s in found if s]


def _fields_at(cls: type[BaseModel], path: list[str], arm: str | None) -> list[str]:
    """Field names of the model at `path` (the union member named `arm`, if given)."""
    models = [cls] if not path else _models_in(_leaf_annotation(cls, path))
    if arm is not None:
        models = [m for m in models if m.__name__ == arm] or models
    return list(models[0].model_fields) if models else []


def describe_errors(
    exc: pydantic.ValidationError, cls: type[BaseModel], values: dict[str, Any]
) -> list[str]:
    """One line per problem: the field, what is wrong, how to fix it; no given value appears."""
    known = {info.path: info for info in block_fields(cls)}
    # A union of models reports each member's errors under its class name
    # ("credentials.AwsCredentials.x"); keep only the member that came closest.
    by_arm: dict[tuple[str, str | None], list[tuple[list[str], Any]]] = {}
    for error in exc.errors(include_input=False, include_url=False):
        loc: list[str] = []
        arm: tuple[str, str | None] = ("", None)
        for part in error["loc"]:
            text = str(part)
            if isinstance(part, int):
                continue
            if text[:1].isupper() and ".".join([*loc, text]) not in known:
                arm = (".".join(loc), text)
                continue
            loc.append(text)
        by_arm.setdefault(arm, []).append((loc, error))
    best: dict[str, tuple[str, str | None]] = {}
    for arm, found in by_arm.items():
        current = best.get(arm[0])
        if current is None or len(found) < len(by_arm[current]):
            best[arm[0]] = arm
    lines: list[str] = []
    for arm in best.values():
        for loc, error in by_arm[arm]:
            lines.append(f"  {_describe(cls, known, loc, error, arm[1])}")
    text = "\n".join(dict.fromkeys(lines))
    for secret in _secret_texts(values, cls):
        text = text.replace(secret, "********")
    return text.splitlines()


def _describe(
    cls: type[BaseModel], known: dict[str, FieldInfo], loc: list[str], error: Any, arm: str | None
) -> str:
    path = ".".join(loc) or "(block)"
    kind = error["type"]
    if kind == "missing":
        return f"{path}: it is required: --set {path}=VALUE"
    if kind == "extra_forbidden":
        siblings = _fields_at(cls, loc[:-1], arm)
        close = difflib.get_close_matches(loc[-1], siblings, n=1)
        hint = f"{path}: unknown field" + (f"; did you mean {close[0]!r}?" if close else ".")
        where = f"{arm} fields" if arm else "Fields here"
        return f"{hint} {where}: {', '.join(siblings)}"
    info = known.get(path)
    wanted = f" (a {info.type})" if info else ""
    return f"{path}: {error['msg']}; give a valid value{wanted}: --set {path}=VALUE"
