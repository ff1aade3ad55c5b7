"""Saved blocks on a headwater server: the `BlockStorage` a client uses when
HEADWATER_API_URL is set, so a team's blocks live where its history lives.

Documents travel as the embedded store keeps them: secret values are encrypted by
the client before they leave (`headwater.blocks.serialization`), so the server
stores and returns ciphertext and never holds a secret in clear. Everyone who
loads a block with secrets needs the key that saved it (HEADWATER_ENCRYPTION_KEY,
e.g. in the team's profile); a different key is refused with the usual message.
"""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Any, NoReturn

from headwater.blocks.documents import BlockDocument, BlockStorage, BlockTypeRecord
from headwater.blocks.errors import BlockExistsError, BlockStorageError

if TYPE_CHECKING:
    import httpx

#: seconds a block call waits for the server (a save is durable when it answers)
TIMEOUT = 30.0


class ApiBlockStorage(BlockStorage):
    """Block documents on the server at `api_url` (its `/api/block_storage` routes)."""

    def __init__(self, api_url: str, api_key: str | None = None) -> None:
        self.api_url = api_url.rstrip("/")
        self._api_key = api_key
        self._client: httpx.Client | None = None
        self._lock = threading.Lock()

    def __repr__(self) -> str:
        return f"ApiBlockStorage({self.api_url!r})"

    def close(self) -> None:
        with self._lock:
            if self._client is not None:
                self._client.close()
                self._client = None

    # --- BlockStorage -------------------------------------------------------------------
    def upsert_type(self, record: BlockTypeRecord) -> None:
        from urllib.parse import quote

        self._call(
            "PUT", f"/block_storage/types/{quote(record.slug, safe='')}", json=type_to_json(record)
        )

    def read_types(self) -> list[BlockTypeRecord]:
        return [type_from_json(t) for t in self._call("GET", "/block_storage/types")]

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
        answer = self._call("PUT", _document_path(slug, name), json=body)
        return str(answer["id"])

    def read_document(self, slug: str, name: str) -> BlockDocument | None:
        answer = self._call("GET", _document_path(slug, name), missing_ok=True)
        return None if answer is None else document_from_json(answer)

    def delete_document(self, slug: str, name: str) -> bool:
        answer = self._call("DELETE", _document_path(slug, name))
        return bool(answer["deleted"])

    def list_documents(self, slug: str | None = None) -> list[BlockDocument]:
        params = {"slug": slug} if slug is not None else None
        rows = self._call("GET", "/block_storage/documents", params=params)
        return [document_from_json(row) for row in rows]

    def key_ids(self) -> set[str]:
        return set(self._call("GET", "/block_storage/key_ids"))

    # --- HTTP ---------------------------------------------------------------------------
    def _http(self) -> httpx.Client:
        with self._lock:
            if self._client is None:
                import httpx

                headers = {"Authorization": f"Bearer {self._api_key}"} if self._api_key else {}
                self._client = httpx.Client(base_url=self.api_url, headers=headers, timeout=TIMEOUT)
            return self._client

    def _call(self, method: str, path: str, missing_ok: bool = False, **kwargs: Any) -> Any:
        import httpx

        try:
            response = self._http().request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise BlockStorageError(
                f"Could not reach the headwater server at {self.api_url} for blocks "
                f"({type(exc).__name__}: {exc}). Start it (`headwater server start`), or "
                "unset HEADWATER_API_URL / switch profile to use this machine's blocks."
            ) from None
        if response.status_code == 404 and missing_ok:
            return None
        if response.is_success:
            return response.json()
        self._fail(method, path, response)

    def _fail(self, method: str, path: str, response: httpx.Response) -> NoReturn:
        detail = _detail(response)
        if response.status_code == 409:
            raise BlockExistsError(detail)
        if response.status_code == 401:
            raise BlockStorageError(
                f"The headwater server at {self.api_url} refused the API key for blocks: set "
                "HEADWATER_API_KEY (environment or profile) to the key the server was started with"
            )
        raise BlockStorageError(
            f"The headwater server at {self.api_url} answered {response.status_code} to "
            f"{method} {path}: {detail}"
        )


def _document_path(slug: str, name: str) -> str:
    from urllib.parse import quote

    return f"/block_storage/documents/{quote(slug, safe='')}/{quote(name, safe='')}"


def _detail(response: httpx.Response) -> str:
    try:
        return str(response.json().get("detail", response.text))
    except ValueError:
        return response.text[:500]


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
