"""/api/block_storage: where clients with HEADWATER_API_URL save and load blocks.

The server keeps documents in its home's block tables exactly as a client sends
them: secret values arrive encrypted with the client's key and leave the same way,
so the server never decrypts, holds or sends a secret in clear (Prefect's
`include_secrets` has no counterpart). The masked, Prefect-shaped block routes are
for people and dashboards; these are for `headwater.blocks.api_storage`.
"""

from __future__ import annotations

import threading
from pathlib import Path
from typing import Any

from fastapi import APIRouter, HTTPException
from headwater.blocks.api_storage import document_to_json, type_to_json
from headwater.blocks.documents import BlockTypeRecord, SQLiteBlockStorage
from headwater.blocks.errors import BlockExistsError
from pydantic import BaseModel, Field


class DocumentBody(BaseModel):
    """A block document as a client saves it (secret values already encrypted)."""

    data: dict[str, Any]
    secret_fields: list[str] = Field(default_factory=list)
    key_id: str | None = None
    references: dict[str, tuple[str, str]] = Field(default_factory=dict)
    overwrite: bool = False


class BlockStorageHolder:
    """The home's block tables, opened on the first call (the home may not exist yet)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self._storage: SQLiteBlockStorage | None = None
        self._lock = threading.Lock()

    def get(self) -> SQLiteBlockStorage:
        with self._lock:
            if self._storage is None:
                self._storage = SQLiteBlockStorage(self.home / "headwater.db")
            return self._storage

    def close(self) -> None:
        with self._lock:
            if self._storage is not None:
                self._storage.close()
                self._storage = None


def block_storage_routes(holder: BlockStorageHolder) -> APIRouter:
    router = APIRouter(prefix="/block_storage", tags=["Block storage (clients)"])

    @router.get("/types")
    def read_types() -> list[dict[str, Any]]:
        """Every registered block type."""
        return [type_to_json(t) for t in holder.get().read_types()]

    @router.put("/types/{slug}")
    def upsert_type(slug: str, body: BlockTypeRecord) -> dict[str, str]:
        """Register or update a block type."""
        if body.slug != slug:
            raise HTTPException(422, f"the body's slug {body.slug!r} differs from {slug!r}")
        holder.get().upsert_type(body)
        return {"slug": slug}

    @router.get("/documents")
    def list_documents(slug: str | None = None) -> list[dict[str, Any]]:
        """Saved documents (of one type with `slug`), secrets as the client encrypted them."""
        return [document_to_json(d) for d in holder.get().list_documents(slug)]

    @router.get("/documents/{slug}/{name}")
    def read_document(slug: str, name: str) -> dict[str, Any]:
        document = holder.get().read_document(slug, name)
        if document is None:
            raise HTTPException(404, f"no {slug!r} block named {name!r} is saved on this server")
        return document_to_json(document)

    @router.put("/documents/{slug}/{name}")
    def write_document(slug: str, name: str, body: DocumentBody) -> dict[str, str]:
        """Save a document; 409 if it exists and `overwrite` is false. Durable on answer."""
        try:
            doc_id = holder.get().write_document(
                slug,
                name,
                body.data,
                body.secret_fields,
                body.key_id,
                dict(body.references),
                body.overwrite,
            )
        except BlockExistsError as exc:
            raise HTTPException(409, str(exc)) from None
        return {"id": doc_id}

    @router.delete("/documents/{slug}/{name}")
    def delete_document(slug: str, name: str) -> dict[str, bool]:
        return {"deleted": holder.get().delete_document(slug, name)}

    @router.get("/key_ids")
    def key_ids() -> list[str]:
        """Fingerprints of the keys that encrypted the saved documents (never the keys)."""
        return sorted(holder.get().key_ids())

    return router
