"""`Block`: typed, validated configuration that can be saved by name and loaded anywhere.

A block is a pydantic model. Unlike Prefect's (`extra="allow"`), unknown
fields are rejected: a typo such as `ShellOperation(comands=[...])` fails at
once with the field's name instead of being silently ignored. Secret fields
are encrypted when saved (see `serialization` / `encryption`) and masked in
reprs and dumps. Saved documents live in a `BlockStorage` (the embedded
SQLite database of HEADWATER_HOME by default).
"""

from __future__ import annotations

import abc
import inspect
import re
import sys
from typing import Any, ClassVar, get_args

from pydantic import BaseModel, ConfigDict, PrivateAttr
from typing_extensions import Self

from headwater.blocks.errors import BlockNotFoundError
from headwater.utilities.loops import loop_running

__all__ = ["Block"]

_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")


def slugify(text: str) -> str:
    """Lowercase words joined by dashes: "Shell Operation" -> "shell-operation"."""
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


class Block(BaseModel):
    """Base class for blocks: subclass it, declare typed fields, then `save` / `load`."""

    # hide_input_in_errors: a wrong-typed secret must not appear in a ValidationError
    model_config = ConfigDict(
        extra="forbid",
        arbitrary_types_allowed=True,
        validate_assignment=True,
        hide_input_in_errors=True,
    )

    _block_type_name: ClassVar[str | None] = None
    _block_type_slug: ClassVar[str | None] = None
    _logo_url: ClassVar[str | None] = None
    _documentation_url: ClassVar[str | None] = None
    _description: ClassVar[str | None] = None
    _code_example: ClassVar[str | None] = None
    _block_schema_capabilities: ClassVar[list[str]] = []

    _block_document_name: str | None = PrivateAttr(default=None)
    _block_document_id: str | None = PrivateAttr(default=None)

    def model_post_init(self, context: Any, /) -> None:
        self.block_initialization()

    def block_initialization(self) -> None:
        """Hook run after validation; override instead of `__init__`."""

    # --- type metadata ---------------------------------------------------------
    @classmethod
    def get_block_type_name(cls) -> str:
        return cls._block_type_name or cls.__name__

    @classmethod
    def get_block_type_slug(cls) -> str:
        """`_block_type_slug`, else from `_block_type_name`, else the class name: S3Bucket -> s3-bucket."""
        if cls._block_type_slug:
            return slugify(cls._block_type_slug)
        if cls._block_type_name:
            return slugify(cls._block_type_name)
        return slugify(_CAMEL.sub("-", cls.__name__))

    @classmethod
    def get_block_capabilities(cls) -> frozenset[str]:
        caps: set[str] = set()
        for klass in cls.__mro__:
            caps.update(klass.__dict__.get("_block_schema_capabilities", ()) or ())
        return frozenset(caps)

    @classmethod
    def get_description(cls) -> str | None:
        """`_description`, else the class docstring (not inherited from a base)."""
        if cls._description:
            return cls._description
        doc = cls.__dict__.get("__doc__")
        return inspect.cleandoc(doc) if doc else None

    @classmethod
    def get_code_example(cls) -> str:
        if cls._code_example:
            return inspect.cleandoc(cls._code_example)
        return (
            f"from {cls.__module__} import {cls.__qualname__}\n\n"
            f'{cls.get_block_type_slug().replace("-", "_")} = {cls.__qualname__}.load("BLOCK_NAME")'
        )

    @classmethod
    def _type_record(cls) -> Any:
        from headwater.blocks.documents import BlockTypeRecord

        return BlockTypeRecord(
            slug=cls.get_block_type_slug(),
            name=cls.get_block_type_name(),
            class_path=f"{cls.__module__}:{cls.__qualname__}",
            description=cls.get_description(),
            logo_url=cls._logo_url,
            documentation_url=cls._documentation_url,
            code_example=cls.get_code_example(),
            capabilities=sorted(cls.get_block_capabilities()),
            fields={
                name: {"type": repr(f.annotation), "description": f.description}
                for name, f in cls.model_fields.items()
            },
        )

    @classmethod
    def register_type_and_schema(cls, client: Any = None) -> Any:
        """Record this block type (and the block types of its fields) in the store.

        `headwater block types` then lists it, and `Block.load("slug/name")`
        finds the class, in any process sharing this HEADWATER_HOME, without a
        plugin hook (the class's module must be importable there). Saving a
        block records its type too; this is for types with nothing saved yet.
        As in Prefect, inside a running event loop the call can be awaited
        (the work is done at once: it is one local write). `client` is
        accepted for Prefect compatibility and unused.
        """
        registered: set[type[Block]] = set()
        cls._register_type(registered)
        if loop_running():
            done = sys.modules["asyncio"].get_running_loop().create_future()
            done.set_result(None)
            return done
        return None

    @classmethod
    async def aregister_type_and_schema(cls, client: Any = None) -> None:
        cls._register_type(set())

    @classmethod
    def _register_type(cls, registered: set[type[Block]]) -> None:
        from headwater.blocks.documents import get_block_storage
        from headwater.blocks.errors import InvalidBlockRegistration

        if cls is Block:
            raise InvalidBlockRegistration(
                "register_type_and_schema() registers one block type: call it on your Block "
                "subclass (MyBlock.register_type_and_schema()), not on Block itself."
            )
        if inspect.isabstract(cls) or abc.ABC in cls.__bases__:
            raise InvalidBlockRegistration(
                f"{cls.__name__} is an abstract kind of block (an interface), so it cannot be "
                "registered as a block type: register a concrete subclass of it instead."
            )
        if cls in registered:
            return
        registered.add(cls)
        for field in cls.model_fields.values():
            for nested in _block_classes_in(field.annotation):
                if not (inspect.isabstract(nested) or abc.ABC in nested.__bases__):
                    nested._register_type(registered)
        get_block_storage().upsert_type(cls._type_record())

    # --- persistence -----------------------------------------------------------
    def save(self, name: str | None = None, overwrite: bool = False) -> str:
        """Save under `name` (required); returns the document id.

        Saving over an existing name raises BlockExistsError unless `overwrite=True`.
        """
        from headwater.blocks.documents import get_block_storage
        from headwater.blocks.serialization import encode_block

        name = name or self._block_document_name
        if not name or not isinstance(name, str):
            raise ValueError("A block needs a name to be saved: block.save('my-block')")
        if "/" in name:
            raise ValueError(f"Block names may not contain '/': {name!r}")
        from headwater.blocks.registry import warn_if_shadowed

        warn_if_shadowed(type(self))
        storage = get_block_storage()
        slug = self.get_block_type_slug()
        data, enc = encode_block(self, storage.key_ids(), f"block {slug}/{name}")
        storage.upsert_type(type(self)._type_record())
        doc_id = storage.write_document(
            slug,
            name,
            data,
            enc.secret_fields,
            enc.key_id,
            enc.references,
            overwrite,
        )
        self._block_document_name = name
        self._block_document_id = doc_id
        return doc_id

    async def asave(self, name: str | None = None, overwrite: bool = False) -> str:
        return self.save(name, overwrite=overwrite)

    @classmethod
    def _split(cls, name: str) -> tuple[type[Block], str]:
        if cls is Block or "/" in name:
            slug, sep, doc_name = name.partition("/")
            if not sep or not slug or not doc_name:
                raise ValueError(
                    f"{name!r} is not a block reference: use 'block-type-slug/block-name' "
                    "(e.g. Block.load('secret/my-password')) or load from the block's class."
                )
            if cls is Block:
                from headwater.blocks.registry import block_class

                return block_class(slug), doc_name
            if slug != cls.get_block_type_slug():
                raise ValueError(
                    f"{name!r} names a {slug!r} block, but {cls.__name__}'s slug is "
                    f"{cls.get_block_type_slug()!r}"
                )
            return cls, doc_name
        return cls, name

    @classmethod
    def load(cls, name: str, validate: bool = True) -> Self:
        """Load a saved block: `Cls.load("name")`, or `Block.load("slug/name")` on the base."""
        from headwater.blocks.documents import get_block_storage
        from headwater.blocks.serialization import decode

        klass, doc_name = cls._split(name)
        slug = klass.get_block_type_slug()
        storage = get_block_storage()
        doc = storage.read_document(slug, doc_name)
        if doc is None:
            raise BlockNotFoundError(_not_found_message(storage, slug, doc_name))
        values = decode(doc.data, f"block {slug}/{doc_name}", doc.key_id)
        block = klass.model_validate(values) if validate else klass.model_construct(**values)
        block._block_document_name = doc_name
        block._block_document_id = doc.id
        return block  # type: ignore[return-value]

    @classmethod
    async def aload(cls, name: str, validate: bool = True) -> Self:
        return cls.load(name, validate=validate)

    @classmethod
    def delete(cls, name: str) -> None:
        """Delete a saved block; BlockNotFoundError if there is none by that name."""
        from headwater.blocks.documents import get_block_storage

        klass, doc_name = cls._split(name)
        slug = klass.get_block_type_slug()
        storage = get_block_storage()
        if not storage.delete_document(slug, doc_name):
            raise BlockNotFoundError(_not_found_message(storage, slug, doc_name))

    @classmethod
    async def adelete(cls, name: str) -> None:
        cls.delete(name)


def _block_classes_in(annotation: Any) -> list[type[Block]]:
    """Block classes named in a field annotation (`Creds`, `Creds | None`, `list[Creds]`)."""
    if isinstance(annotation, type):
        return [annotation] if issubclass(annotation, Block) else []
    return [found for arg in get_args(annotation) for found in _block_classes_in(arg)]


def _not_found_message(storage: Any, slug: str, name: str) -> str:
    same = [d.name for d in storage.list_documents(slug)]
    if same:
        listing = f"Saved {slug!r} blocks: {', '.join(repr(n) for n in same)}."
    else:
        others = [f"{d.block_type_slug}/{d.name}" for d in storage.list_documents()]
        listing = (
            f"No {slug!r} blocks are saved. Saved blocks: {', '.join(others[:20])}"
            + (" ..." if len(others) > 20 else "")
            + "."
            if others
            else f"No {slug!r} blocks are saved, and no blocks at all in this HEADWATER_HOME."
        )
    return f"No block named {name!r} of type {slug!r} ({slug}/{name}). {listing}"
