"""Turning a block into a storable JSON document and back.

Secret values (SecretStr, SecretDict, any pydantic Secret) are encrypted one
by one, so the rest of a document stays readable and queryable without the
key (Prefect encrypts whole documents, which makes them unqueryable,
PrefectHQ/prefect#8610) and `headwater block inspect` can show the plain
fields while masking the secret ones. Nested blocks that were saved are
stored as references (`slug/name`) and loaded again by reference; unsaved
nested blocks are embedded with their slug.
"""

from __future__ import annotations

import base64
import json
from typing import TYPE_CHECKING, Any

import pydantic
from pydantic_core import to_jsonable_python

from headwater.blocks import encryption
from headwater.blocks.fields import as_secret, element_annotation, is_secret, is_secret_annotation

if TYPE_CHECKING:
    from headwater.blocks.core import Block

SECRET = "__headwater_secret__"
REF = "__headwater_block_ref__"
EMBED = "__headwater_block__"
MASK = "********"


class Encoded:
    """The result of encoding one block."""

    def __init__(self, encryptor: encryption.Encryptor) -> None:
        self.encryptor = encryptor
        self.secret_fields: list[str] = []
        self.references: dict[str, tuple[str, str]] = {}

    @property
    def key_id(self) -> str | None:
        return self.encryptor.key_id


def encode_block(
    block: Block, stored_key_ids: set[str], where: str
) -> tuple[dict[str, Any], Encoded]:
    """The document for `block`: every secret encrypted with the store's key.

    A value is a secret if it is a secret type, or if the field (or container
    item) it sits in is declared as one: a block built with `model_construct`,
    or assigned without validation, still never reaches storage in clear.
    """
    out = Encoded(encryption.Encryptor(stored_key_ids, where))
    data = _encode_fields(block, "", out)
    return data, out


def _encode_fields(model: pydantic.BaseModel, prefix: str, out: Encoded) -> dict[str, Any]:
    return {
        name: _encode(getattr(model, name), f"{prefix}{name}", out, field.annotation)
        for name, field in type(model).model_fields.items()
    }


def _encrypt(raw: Any, path: str, out: Encoded) -> dict[str, str]:
    if isinstance(raw, bytes):
        payload: Any = {"bytes": base64.b64encode(raw).decode("ascii")}
    else:
        payload = {"value": to_jsonable_python(raw)}
    token = out.encryptor.encrypt(json.dumps(payload).encode())
    out.secret_fields.append(path)
    return {SECRET: token}


def _encode(value: Any, path: str, out: Encoded, annotation: Any = None) -> Any:
    from headwater.blocks.core import Block

    if is_secret(value):
        return _encrypt(value.get_secret_value(), path, out)
    if isinstance(value, Block):
        slug = value.get_block_type_slug()
        name = value._block_document_name
        if name is not None:
            out.references[path] = (slug, name)
            return {REF: f"{slug}/{name}"}
        return {EMBED: slug, "data": _encode_fields(value, f"{path}.", out)}
    if isinstance(value, pydantic.BaseModel):
        return _encode_fields(value, f"{path}.", out)
    if value is not None and annotation is not None and is_secret_annotation(annotation):
        return _encrypt(value, path, out)  # a plain value in a field declared secret
    item = element_annotation(annotation) if annotation is not None else None
    if isinstance(value, dict):
        return {str(k): _encode(v, f"{path}.{k}", out, item) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_encode(v, f"{path}[{i}]", out, item) for i, v in enumerate(value)]
    return to_jsonable_python(value)


def decode(data: Any, where: str, key_id: str | None) -> Any:
    """Values from a stored document: references loaded, secrets decrypted into secret
    types (SecretStr, SecretDict, ...), so even an unvalidated block never holds one bare."""
    if isinstance(data, dict):
        if SECRET in data and len(data) == 1:
            payload = json.loads(encryption.decrypt(data[SECRET], key_id, where))
            if "bytes" in payload:
                return as_secret(base64.b64decode(payload["bytes"]))
            return as_secret(payload["value"])
        if REF in data and len(data) == 1:
            from headwater.blocks.core import Block

            return Block.load(data[REF])
        if EMBED in data and set(data) == {EMBED, "data"}:
            from headwater.blocks.registry import block_class

            cls = block_class(data[EMBED])
            return cls.model_validate(decode(data["data"], where, key_id))
        return {k: decode(v, where, key_id) for k, v in data.items()}
    if isinstance(data, list):
        return [decode(v, where, key_id) for v in data]
    return data


def masked(data: Any) -> Any:
    """A stored document for display: secrets as `********`, references as `slug/name`."""
    if isinstance(data, dict):
        if SECRET in data and len(data) == 1:
            return MASK
        if REF in data and len(data) == 1:
            return f"<block {data[REF]}>"
        if EMBED in data and set(data) == {EMBED, "data"}:
            return masked(data["data"])
        return {k: masked(v) for k, v in data.items()}
    if isinstance(data, list):
        return [masked(v) for v in data]
    return data
