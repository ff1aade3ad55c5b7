"""Block base: fields, slugs, save / load / delete, nested blocks, bad input."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import Optional

import pydantic
import pytest
from headwater.blocks import Block, BlockExistsError, BlockNotFoundError, SecretDict, SecretStr


class DataBucket(Block):
    """A bucket (test block)."""

    bucket_name: str = pydantic.Field(description="bucket")
    folder: str = pydantic.Field(default="", description="prefix")


class VaultCredentials(Block):
    key_id: str = pydantic.Field(description="id")
    secret: SecretStr = pydantic.Field(description="secret key")
    extra: Optional[SecretDict] = pydantic.Field(default=None, description="more secrets")


class Storage(Block):
    _block_type_name = "My Storage"
    bucket: DataBucket = pydantic.Field(description="bucket")
    credentials: VaultCredentials = pydantic.Field(description="credentials")


def test_slugs_and_metadata() -> None:
    assert DataBucket.get_block_type_slug() == "data-bucket"
    assert VaultCredentials.get_block_type_slug() == "vault-credentials"
    assert Storage.get_block_type_slug() == "my-storage"
    assert Storage.get_block_type_name() == "My Storage"
    assert DataBucket.get_description() == "A bucket (test block)."

    class Custom(Block):
        _block_type_slug = "custom-thing"
        _logo_url = "https://example.invalid/logo.png"

    assert Custom.get_block_type_slug() == "custom-thing"
    assert Custom._logo_url.endswith("logo.png")
    assert "Custom.load" in Custom.get_code_example()


def test_unknown_field_is_rejected_with_its_name() -> None:
    with pytest.raises(pydantic.ValidationError, match="bukcet_name"):
        DataBucket(bukcet_name="typo")  # type: ignore[call-arg]


def test_wrong_type_names_the_field_and_hides_the_input() -> None:
    with pytest.raises(pydantic.ValidationError) as info:
        VaultCredentials(key_id=["not", "a", "string"], secret=12345678)  # type: ignore[arg-type]
    text = str(info.value)
    assert "key_id" in text and "secret" in text
    assert "12345678" not in text


def test_save_load_round_trip_and_delete() -> None:
    DataBucket(bucket_name="data", folder="raw").save("prod")
    loaded = DataBucket.load("prod")
    assert loaded.bucket_name == "data" and loaded.folder == "raw"
    assert loaded._block_document_name == "prod"
    assert Block.load("data-bucket/prod") == loaded
    DataBucket.delete("prod")
    with pytest.raises(BlockNotFoundError):
        DataBucket.load("prod")


def test_async_twins() -> None:
    async def main() -> str:
        await DataBucket(bucket_name="a").asave("async-one")
        block = await DataBucket.aload("async-one")
        return block.bucket_name

    assert asyncio.run(main()) == "a"


def test_missing_block_names_slug_and_name_and_lists_what_exists() -> None:
    DataBucket(bucket_name="a").save("alpha")
    DataBucket(bucket_name="b").save("beta")
    with pytest.raises(BlockNotFoundError) as info:
        DataBucket.load("gamma")
    message = str(info.value)
    assert "'gamma'" in message and "data-bucket" in message
    assert "'alpha'" in message and "'beta'" in message
    with pytest.raises(BlockNotFoundError, match="data-bucket/alpha"):
        VaultCredentials.load("nothing")


def test_unknown_slug_lists_known_types() -> None:
    with pytest.raises(ValueError, match="No block type with slug 'nope'.*secret"):
        Block.load("nope/x")


def test_overwrite_refused_without_flag() -> None:
    DataBucket(bucket_name="a").save("one")
    with pytest.raises(BlockExistsError, match="overwrite=True"):
        DataBucket(bucket_name="b").save("one")
    assert DataBucket.load("one").bucket_name == "a"
    DataBucket(bucket_name="b").save("one", overwrite=True)
    assert DataBucket.load("one").bucket_name == "b"


def test_nested_blocks_saved_by_reference() -> None:
    creds = VaultCredentials(key_id="AKIA", secret="nested-s3cr3t")
    creds.save("creds")
    Storage(bucket=DataBucket(bucket_name="inline"), credentials=creds).save("store")
    # a change to the referenced block shows up in the parent
    VaultCredentials(key_id="AKIA2", secret="rotated-s3cr3t").save("creds", overwrite=True)
    loaded = Storage.load("store")
    assert loaded.credentials.key_id == "AKIA2"
    assert loaded.credentials.secret.get_secret_value() == "rotated-s3cr3t"
    assert loaded.credentials._block_document_name == "creds"
    assert loaded.bucket.bucket_name == "inline"
    assert "rotated-s3cr3t" not in repr(loaded)


def test_block_initialization_hook() -> None:
    class Counter(Block):
        n: int = pydantic.Field(default=0, description="n")

        def block_initialization(self) -> None:
            object.__setattr__(self, "_ready", True)

    assert Counter()._ready  # type: ignore[attr-defined]


def test_capabilities() -> None:
    from headwater.blocks import LocalFileSystem
    from headwater.blocks.abstract import NotificationBlock

    assert {"read-path", "write-path"} <= LocalFileSystem.get_block_capabilities()
    assert "notify" in NotificationBlock.get_block_capabilities()


def test_abstract_kinds_require_their_methods() -> None:
    from headwater.blocks.abstract import (
        CredentialsBlock,
        DatabaseBlock,
        JobBlock,
        NotificationBlock,
        ObjectStorageBlock,
        Operation,
    )

    for kind in (
        CredentialsBlock,
        DatabaseBlock,
        JobBlock,
        NotificationBlock,
        ObjectStorageBlock,
        Operation,
    ):
        with pytest.raises(TypeError, match="abstract"):
            kind()

    class Echo(Operation):
        text: str = pydantic.Field(default="hi", description="text")
        closed: bool = pydantic.Field(default=False, description="closed")

        def trigger(self):  # type: ignore[override]
            raise NotImplementedError

        def run(self) -> str:
            return self.text

        def close(self) -> None:
            self.closed = True

    with Echo() as op:
        assert op.run() == "hi"
    assert op.closed


def test_saved_block_loads_in_another_process(headwater_home) -> None:
    from headwater.blocks import Secret

    Secret(value="cross-process-s3cr3t").save("shared")
    out = subprocess.run(
        [
            sys.executable,
            "-c",
            "from headwater.blocks import Block; print(Block.load('secret/shared').get())",
        ],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert out.strip() == "cross-process-s3cr3t"
