"""`BlockConformance`: what every block class must do, for core's and plugins' blocks.

Subclass it and provide a `block` fixture returning an instance with
realistic values (secret fields filled in):

    import pytest
    from headwater.testing.conformance.blocks import BlockConformance

    class TestS3Bucket(BlockConformance):
        @pytest.fixture
        def block(self):
            return S3Bucket(bucket_name="b", credentials=AwsCredentials(
                aws_access_key_id="AKIA", aws_secret_access_key="s3cr3t"))

Checks: a save / load round trip gives an equal block; secrets never appear
in clear in the database file, in reprs, or in `model_dump(mode="json")`;
every field is documented (`Field(description=...)`); the slug is valid
and the type has a description. Tests run in the `headwater_home` fixture's
fresh HEADWATER_HOME.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

__all__ = ["BlockConformance"]


def _secret_values(value: Any) -> list[str]:
    """Every secret string inside `value` (recursing into nested blocks and containers)."""
    import pydantic

    found: list[str] = []
    if isinstance(value, (pydantic.SecretStr, pydantic.SecretBytes, pydantic.Secret)):
        raw = value.get_secret_value()
        if isinstance(raw, bytes):
            raw = raw.decode("latin-1")
        if isinstance(raw, dict):
            found += [str(v) for v in raw.values()]
        elif isinstance(raw, (list, tuple)):
            found += [str(v) for v in raw]
        else:
            found.append(str(raw))
    elif isinstance(value, pydantic.BaseModel):
        for name in type(value).model_fields:
            found += _secret_values(getattr(value, name))
    elif isinstance(value, dict):
        for v in value.values():
            found += _secret_values(v)
    elif isinstance(value, (list, tuple)):
        for v in value:
            found += _secret_values(v)
    return [s for s in found if len(s) >= 4]


class BlockConformance:
    """Subclass and provide a `block` fixture."""

    @pytest.fixture
    def block(self) -> Any:
        raise NotImplementedError("provide a `block` fixture returning an instance of your block")

    def test_round_trip(self, block: Any, headwater_home: Any) -> None:
        cls = type(block)
        block.save("conformance-round-trip")
        loaded = cls.load("conformance-round-trip")
        assert type(loaded) is cls
        assert loaded.model_dump() == block.model_dump()
        assert _secret_values(loaded) == _secret_values(block)
        from headwater.blocks.core import Block

        again = Block.load(f"{cls.get_block_type_slug()}/conformance-round-trip")
        assert type(again) is cls

    def test_overwrite_needs_flag(self, block: Any, headwater_home: Any) -> None:
        from headwater.blocks.errors import BlockExistsError

        block.save("conformance-overwrite")
        with pytest.raises(BlockExistsError, match="overwrite=True"):
            block.save("conformance-overwrite")
        block.save("conformance-overwrite", overwrite=True)

    def test_secrets_never_in_clear(self, block: Any, headwater_home: Any) -> None:
        secrets = _secret_values(block)
        shown = (
            repr(block)
            + str(block)
            + repr(block.model_dump())
            + repr(block.model_dump(mode="json"))
        )
        for secret in secrets:
            assert secret not in shown, "a secret value appears in a repr or a dump"
        block.save("conformance-secrets")
        raw = b"".join(p.read_bytes() for p in headwater_home.glob("headwater.db*"))
        for secret in secrets:
            assert secret.encode() not in raw, "a secret value is stored in clear"

    def test_fields_documented(self, block: Any) -> None:
        cls = type(block)
        undocumented = [n for n, f in cls.model_fields.items() if not (f.description or "").strip()]
        assert not undocumented, f"fields without a description: {undocumented}"
        assert cls.get_description(), "the block class needs a docstring or _description"

    def test_slug(self, block: Any) -> None:
        slug = type(block).get_block_type_slug()
        assert re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", slug), slug

    def test_unknown_fields_rejected(self, block: Any) -> None:
        import pydantic

        values = {n: getattr(block, n) for n in type(block).model_fields}
        with pytest.raises(pydantic.ValidationError, match="not_a_field"):
            type(block)(**values, not_a_field=1)
