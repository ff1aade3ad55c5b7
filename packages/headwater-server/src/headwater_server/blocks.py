"""Saved blocks, read-only, in Prefect's shapes: block types, block schemas, block documents.

A secret field's value is never sent, not even encrypted: it reads `********` (Prefect's
mask), and `include_secrets: true` is refused with a 422, since the server has no
business decrypting what a flow saved. Ids of block types and schemas are stable
UUIDs derived from the type's slug (headwater keys types by slug).
"""

from __future__ import annotations

import hashlib
import json
import uuid
from enum import Enum
from typing import Any

from fastapi import APIRouter, HTTPException, Query
from headwater.blocks.serialization import masked
from pydantic import BaseModel, ConfigDict, Field

from headwater_server.home_tables import HomeTables
from headwater_server.shapes import iso

DEFAULT_LIMIT = 200
_NO_SECRETS = (
    "this server never sends secret block values; load the block with "
    "`Block.load(...)` in a process that has the home's encryption key"
)


class _Filter(BaseModel):
    model_config = ConfigDict(extra="forbid")


class AnyOf(_Filter):
    any_: list[str] | None = None

    def ok(self, value: Any) -> bool:
        return self.any_ is None or str(value) in self.any_


class NameLike(AnyOf):
    like_: str | None = Field(default=None, description="case-insensitive substring")

    def ok(self, value: Any) -> bool:
        return super().ok(value) and (self.like_ is None or self.like_.lower() in value.lower())


class IsAnonymous(_Filter):
    eq_: bool | None = None


class Capabilities(_Filter):
    all_: list[str] | None = None


class BlockTypeFilter(_Filter):
    name: NameLike | None = None
    slug: AnyOf | None = None


class BlockSchemaFilter(_Filter):
    id: AnyOf | None = None
    block_type_id: AnyOf | None = None
    block_capabilities: Capabilities | None = None


class BlockDocumentFilter(_Filter):
    id: AnyOf | None = None
    name: NameLike | None = None
    block_type_id: AnyOf | None = None
    is_anonymous: IsAnonymous | None = None


class BlockDocumentSort(str, Enum):
    NAME_ASC = "NAME_ASC"
    NAME_DESC = "NAME_DESC"
    BLOCK_TYPE_AND_NAME_ASC = "BLOCK_TYPE_AND_NAME_ASC"


class _Query(_Filter):
    offset: int = Field(default=0, ge=0)
    limit: int = Field(default=DEFAULT_LIMIT, ge=0, le=DEFAULT_LIMIT)


class BlockTypeQuery(_Query):
    block_types: BlockTypeFilter | None = None
    block_schemas: BlockSchemaFilter | None = None


class BlockSchemaQuery(_Query):
    block_schemas: BlockSchemaFilter | None = None


class BlockDocumentQuery(_Query):
    block_documents: BlockDocumentFilter | None = None
    block_types: BlockTypeFilter | None = None
    block_schemas: BlockSchemaFilter | None = None
    include_secrets: bool = False
    sort: BlockDocumentSort = BlockDocumentSort.NAME_ASC


def type_id(slug: str) -> str:
    return str(uuid.uuid5(uuid.NAMESPACE_URL, f"headwater:block-type:{slug}"))


def _checksum(fields: str) -> str:
    return "sha256:" + hashlib.sha256(fields.encode()).hexdigest()


class BlockReads:
    """The saved blocks of one home, as Prefect's API answers them."""

    def __init__(self, tables: HomeTables) -> None:
        self.tables = tables

    def types(self) -> list[dict[str, Any]]:
        rows = self.tables.rows(
            "SELECT slug, name, description, logo_url, documentation_url, code_example, "
            "capabilities, fields, updated FROM block_type ORDER BY name"
        )
        out = []
        for slug, name, desc, logo, docs, example, caps, fields, updated in rows:
            block_type = {
                "id": type_id(slug), "created": iso(updated), "updated": iso(updated),
                "name": name, "slug": slug, "logo_url": logo, "documentation_url": docs,
                "description": desc, "code_example": example, "is_protected": False,
            }  # fmt: skip
            block_type["_schema"] = {
                "id": str(uuid.uuid5(uuid.NAMESPACE_URL, _checksum(fields) + slug)),
                "created": iso(updated), "updated": iso(updated), "checksum": _checksum(fields),
                "fields": json.loads(fields or "{}"), "block_type_id": block_type["id"],
                "capabilities": json.loads(caps or "[]"), "version": "1",
            }  # fmt: skip
            out.append(block_type)
        return out

    def schemas(self, wanted: BlockSchemaFilter | None) -> list[dict[str, Any]]:
        found = []
        for block_type in self.types():
            schema = dict(block_type.pop("_schema"))
            schema["block_type"] = block_type
            if wanted is None or _schema_ok(wanted, schema):
                found.append(schema)
        return found

    def documents(self, query: BlockDocumentQuery) -> list[dict[str, Any]]:
        if query.include_secrets:
            raise HTTPException(422, _NO_SECRETS)
        schemas = {s["block_type"]["slug"]: s for s in self.schemas(query.block_schemas)}
        rows = self.tables.rows(
            "SELECT id, block_type_slug, name, data, created, updated FROM block_document"
        )
        docs = [_document(row, schemas.get(row[1]), self._refs(row[0])) for row in rows]
        docs = [d for d in docs if _document_ok(query, d)]
        if query.sort is BlockDocumentSort.BLOCK_TYPE_AND_NAME_ASC:
            docs.sort(key=lambda d: (d["block_type_name"] or "", d["name"]))
        else:
            docs.sort(key=lambda d: d["name"], reverse=query.sort is BlockDocumentSort.NAME_DESC)
        return docs[query.offset : query.offset + query.limit]

    def document(self, document_id: str) -> dict[str, Any]:
        wanted = BlockDocumentFilter(id=AnyOf(any_=[document_id]))
        found = self.documents(BlockDocumentQuery(block_documents=wanted, limit=1))
        if not found:
            raise HTTPException(404, f"block document {document_id!r} not found on this server")
        return found[0]

    def _refs(self, document_id: str) -> dict[str, Any]:
        rows = self.tables.rows(
            "SELECT field, ref_slug, ref_name FROM block_document_reference WHERE parent_id = ?",
            (document_id,),
        )
        return {f: {"block_type_slug": s, "name": n} for f, s, n in rows}


def _schema_ok(wanted: BlockSchemaFilter, schema: dict[str, Any]) -> bool:
    checks = [
        wanted.id is None or wanted.id.ok(schema["id"]),
        wanted.block_type_id is None or wanted.block_type_id.ok(schema["block_type_id"]),
    ]
    caps = wanted.block_capabilities
    if caps is not None and caps.all_ is not None:
        checks.append(set(caps.all_) <= set(schema["capabilities"]))
    return all(checks)


def _document(
    row: tuple[Any, ...], schema: dict[str, Any] | None, refs: dict[str, Any]
) -> dict[str, Any]:
    doc_id, slug, name, data, created, updated = row
    block_type = schema["block_type"] if schema else None
    return {
        "id": doc_id, "created": iso(created), "updated": iso(updated), "name": name,
        "data": masked(json.loads(data)),
        "block_schema_id": schema["id"] if schema else None,
        "block_schema": {k: v for k, v in schema.items() if k != "block_type"} if schema else None,
        "block_type_id": type_id(slug),
        "block_type_name": block_type["name"] if block_type else None,
        "block_type": block_type, "block_document_references": refs, "is_anonymous": False,
        "block_type_slug": slug,
    }  # fmt: skip


def _document_ok(query: BlockDocumentQuery, doc: dict[str, Any]) -> bool:
    if query.block_schemas is not None and doc["block_schema"] is None:
        return False
    wanted = query.block_documents
    if wanted is not None:
        if wanted.is_anonymous is not None and wanted.is_anonymous.eq_ is True:
            return False
        for f, value in ((wanted.id, doc["id"]), (wanted.name, doc["name"])):
            if f is not None and not f.ok(value):
                return False
        if wanted.block_type_id is not None and not wanted.block_type_id.ok(doc["block_type_id"]):
            return False
    types = query.block_types
    if types is not None:
        if types.slug is not None and not types.slug.ok(doc["block_type_slug"]):
            return False
        if types.name is not None and not types.name.ok(doc["block_type_name"] or ""):
            return False
    return True


def _type_ok(query: BlockTypeQuery, block_type: dict[str, Any]) -> bool:
    wanted = query.block_types
    if wanted is not None:
        if wanted.slug is not None and not wanted.slug.ok(block_type["slug"]):
            return False
        if wanted.name is not None and not wanted.name.ok(block_type["name"]):
            return False
    schema = block_type["_schema"]
    return query.block_schemas is None or _schema_ok(query.block_schemas, schema)


def router(reads: BlockReads) -> APIRouter:
    api = APIRouter(tags=["Blocks"])

    @api.post("/block_types/filter")
    def read_block_types(query: BlockTypeQuery | None = None) -> list[dict[str, Any]]:
        """Block types that saved blocks in this home registered, by name."""
        query = query or BlockTypeQuery()
        found = [t for t in reads.types() if _type_ok(query, t)]
        for block_type in found:
            block_type.pop("_schema")
        return found[query.offset : query.offset + query.limit]

    @api.post("/block_schemas/filter")
    def read_block_schemas(query: BlockSchemaQuery | None = None) -> list[dict[str, Any]]:
        """The schema (fields, capabilities) of each block type."""
        query = query or BlockSchemaQuery()
        return reads.schemas(query.block_schemas)[query.offset : query.offset + query.limit]

    @api.post("/block_documents/filter")
    def read_block_documents(query: BlockDocumentQuery | None = None) -> list[dict[str, Any]]:
        """Saved blocks, secret fields masked as `********` (never sent)."""
        return reads.documents(query or BlockDocumentQuery())

    @api.get("/block_documents/{id}")
    def read_block_document(id: str, include_secrets: bool = Query(False)) -> dict[str, Any]:
        """One saved block by id, secret fields masked as `********` (never sent)."""
        if include_secrets:
            raise HTTPException(422, _NO_SECRETS)
        return reads.document(id)

    return api
