"""Saved blocks on a headwater server: the `BlockStorage` a client uses when
HEADWATER_API_URL is set, so a team's blocks live where its history lives.

Documents travel as the embedded store keeps them: secret values are encrypted by
the client before they leave (`headwater.blocks.serialization`), so the server
stores and returns ciphertext and never holds a secret in clear. Everyone who
loads a block with secrets needs the key that saved it (HEADWATER_ENCRYPTION_KEY,
e.g. in the team's profile); a different key is refused with the usual message.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from headwater.blocks.documents import BlockDocument, BlockStorage, BlockTypeRecord
from headwater.blocks.errors import BlockExistsError, BlockStorageError
from headwater.utilities.api_client import ApiClient, shown_url


class ApiBlockStorage(BlockStorage):
    """Block documents on the server at `api_url` (its `/api/block_storage` routes)."""

    def __init__(self, api_url: str, api_key: str | None = None) -> None:
        self.api = ApiClient(api_url, api_key, BlockStorageError, local_alternative="local blocks")

    def __repr__(self) -> str:
        return f"ApiBlockStorage({shown_url(self.api.url)!r})"

    def close(self) -> None:
        self.api.close()

    def upsert_type(self, record: BlockTypeRecord) -> None:
        path = f"/block_storage/types/{quote(record.slug, safe='')}"
        self.api.request("PUT", path, json=type_to_json(record))

    def read_types(self) -> list[BlockTypeRecord]:
        return [type_from_json(t) for t in self.api.request("GET", "/block_storage/types")]

    def write_document(
        self,
        slug: str,
        name: str,
        data: dict[str, Any],
        secret_fields: list[str],
        key_id: str | None,
        references: dict[str, tuple[str, str]],
        overwrite: bool,
    ) -> str:
        body = {
            "data": data,
            "secret_fields": secret_fields,
            "key_id": key_id,
            "references": {f: list(ref) for f, ref in references.items()},
            "overwrite": overwrite,
        }
        path = _document_path(slug, name)
        answer = self.api.request("PUT", path, json=body, conflict=BlockExistsError)
        return str(answer["id"])

    def read_document(self, slug: str, name: str) -> BlockDocument | None:
        answer = self.api.request("GET", _document_path(slug, name), missing_ok=True)
        return None if answer is None else document_from_json(answer)

    def delete_document(self, slug: str, name: str) -> bool:
        answer = self.api.request("DELETE", _document_path(slug, name))
        return bool(answer["deleted"])

    def list_documents(self, slug: str | None = None) -> list[BlockDocument]:
        params = {"slug": slug} if slug is not None else None
        rows = self.api.request("GET", "/block_storage/documents", params=params)
        return [document_from_json(row) for row in rows]

    def key_ids(self) -> set[str]:
        return set(self.api.request("GET", "/block_storage/key_ids"))


def _document_path(slug: str, name: str) -> str:
    return f"/block_storage/documents/{quote(slug, safe='')}/{quote(name, safe='')}"


def document_to_json(document: BlockDocument) -> dict[str, Any]:
    """A stored document as the server sends it (secrets stay encrypted)."""
    return {
        "id": document.id,
        "block_type_slug": document.block_type_slug,
        "name": document.name,
        "data": document.data,
        "secret_fields": document.secret_fields,
        "key_id": document.key_id,
        "created": document.created,
        "updated": document.updated,
        "references": {f: list(ref) for f, ref in document.references.items()},
    }


def document_from_json(row: dict[str, Any]) -> BlockDocument:
    """A stored document from the wire."""
    return BlockDocument(
        id=row["id"],
        block_type_slug=row["block_type_slug"],
        name=row["name"],
        data=row["data"],
        secret_fields=list(row["secret_fields"]),
        key_id=row.get("key_id"),
        created=float(row["created"]),
        updated=float(row["updated"]),
        references={f: (ref[0], ref[1]) for f, ref in row.get("references", {}).items()},
    )


def type_to_json(record: BlockTypeRecord) -> dict[str, Any]:
    """A block type on the wire."""
    return {
        "slug": record.slug,
        "name": record.name,
        "class_path": record.class_path,
        "description": record.description,
        "logo_url": record.logo_url,
        "documentation_url": record.documentation_url,
        "code_example": record.code_example,
        "capabilities": record.capabilities,
        "fields": record.fields,
    }


def type_from_json(row: dict[str, Any]) -> BlockTypeRecord:
    """A block type from the wire."""
    return BlockTypeRecord(
        slug=row["slug"],
        name=row["name"],
        class_path=row["class_path"],
        description=row.get("description"),
        logo_url=row.get("logo_url"),
        documentation_url=row.get("documentation_url"),
        code_example=row.get("code_example"),
        capabilities=list(row.get("capabilities", [])),
        fields=dict(row.get("fields", {})),
    )
