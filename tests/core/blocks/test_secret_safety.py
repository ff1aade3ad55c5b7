"""Secrets stay secret on every path: load without validation, re-save, a second key,
a bad key path, and results persisted with the json serializer."""

from __future__ import annotations

import logging
from pathlib import Path

import pydantic
import pytest
from click.testing import CliRunner
from headwater.blocks import Block, EncryptionKeyError, Secret, SecretDict, SecretStr

SENTINEL = "SENTINEL-9f3a"
DICT_SENTINEL = "SENTINEL-dict-9f3a"


class Vault(Block):
    """Test credentials with both kinds of secret field."""

    user: str = pydantic.Field(description="user")
    password: SecretStr = pydantic.Field(description="password")
    info: SecretDict = pydantic.Field(description="service account info")


def _raw_home(home: Path) -> bytes:
    """Every byte stored under HEADWATER_HOME (database, WAL, results, key file)."""
    return b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())


def _assert_nowhere(home: Path, *texts: str) -> None:
    raw = _raw_home(home)
    assert raw, "nothing stored"
    for text in texts:
        assert text.encode() not in raw, f"{text!r} stored in clear under {home}"


def _vault() -> Vault:
    return Vault(user="alice", password=SENTINEL, info={"private_key": DICT_SENTINEL})


# --- 1. a loaded block always holds secret types -----------------------------------


@pytest.mark.parametrize("validate", [True, False])
def test_load_holds_secret_types_whatever_validate_says(validate: bool) -> None:
    _vault().save("v")
    loaded = Vault.load("v", validate=validate)
    assert isinstance(loaded.password, SecretStr)
    assert isinstance(loaded.info, pydantic.Secret)
    assert loaded.password.get_secret_value() == SENTINEL
    assert loaded.info.get_secret_value() == {"private_key": DICT_SENTINEL}
    for shown in (repr(loaded), str(loaded), str(loaded.model_dump(mode="json"))):
        assert SENTINEL not in shown and DICT_SENTINEL not in shown


def test_secret_block_load_without_validation_is_masked() -> None:
    Secret(value=SENTINEL).save("s")
    loaded = Secret.load("s", validate=False)
    assert SENTINEL not in repr(loaded)
    assert loaded.get() == SENTINEL


def test_save_after_unvalidated_load_stays_encrypted(headwater_home: Path) -> None:
    from headwater.cli.main import build_cli

    _vault().save("v")
    Vault.load("v", validate=False).save("v", overwrite=True)
    Vault.load("v", validate=False).save("copy")
    _assert_nowhere(headwater_home, SENTINEL, DICT_SENTINEL)
    assert Vault.load("copy").password.get_secret_value() == SENTINEL
    runner = CliRunner()
    for ref in ("vault/v", "vault/copy"):
        for fmt in ("table", "json"):
            shown = runner.invoke(build_cli(), ["block", "inspect", ref, "-o", fmt])
            assert shown.exit_code == 0, shown.output
            assert SENTINEL not in shown.output and DICT_SENTINEL not in shown.output
            assert "********" in shown.output


def test_plain_value_in_a_secret_field_is_encrypted_anyway(headwater_home: Path) -> None:
    # model_construct skips validation, so the field holds a plain str / dict
    Vault.model_construct(user="bob", password=SENTINEL, info={"private_key": DICT_SENTINEL}).save(
        "raw"
    )
    _assert_nowhere(headwater_home, SENTINEL, DICT_SENTINEL)
    loaded = Vault.load("raw")
    assert loaded.password.get_secret_value() == SENTINEL
    assert loaded.info.get_secret_value() == {"private_key": DICT_SENTINEL}


def test_optional_and_nested_secret_fields_are_encrypted(headwater_home: Path) -> None:
    class Inner(Block):
        """Nested, unsaved."""

        token: SecretStr | None = pydantic.Field(default=None, description="token")

    class Outer(Block):
        """Holds an unsaved nested block and a dict of secrets."""

        inner: Inner = pydantic.Field(description="inner")
        headers: dict[str, SecretStr] = pydantic.Field(description="headers")

    Outer.model_construct(
        inner=Inner.model_construct(token=SENTINEL + "-inner"),
        headers={"auth": SENTINEL + "-header"},
    ).save("o")
    _assert_nowhere(headwater_home, SENTINEL)
    loaded = Outer.load("o")
    assert loaded.inner.token is not None
    assert loaded.inner.token.get_secret_value() == SENTINEL + "-inner"
    assert loaded.headers["auth"].get_secret_value() == SENTINEL + "-header"


@pytest.mark.parametrize("validate", [True, False])
def test_union_of_plain_and_secret_keeps_the_users_choice_per_value(
    headwater_home: Path, validate: bool
) -> None:
    class Env(Block):
        """Values may be plain or secret, as ShellOperation's env."""

        env: dict[str, str | SecretStr] = pydantic.Field(description="env")

    Env(env={"GREETING": "hello", "TOKEN": SecretStr(SENTINEL)}).save("e")
    _assert_nowhere(headwater_home, SENTINEL)
    loaded = Env.load("e", validate=validate)
    assert loaded.env["GREETING"] == "hello"  # plain stays plain
    assert isinstance(loaded.env["TOKEN"], SecretStr)
    assert loaded.env["TOKEN"].get_secret_value() == SENTINEL


# --- 2. one key per store ------------------------------------------------------------


def test_saving_with_a_different_key_is_refused(
    headwater_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.fernet import Fernet
    from headwater.blocks.documents import get_block_storage

    _vault().save("v")
    before = get_block_storage().read_document("vault", "v")
    other = Fernet.generate_key().decode()
    monkeypatch.setenv("HEADWATER_ENCRYPTION_KEY", other)
    for attempt in (lambda: _vault().save("second"), lambda: _vault().save("v", overwrite=True)):
        with pytest.raises(EncryptionKeyError) as info:
            attempt()
        message = str(info.value)
        assert "HEADWATER_ENCRYPTION_KEY" in message and "vault/" in message
        assert "Use the key" in message and "Nothing was saved" in message
        assert other not in message and SENTINEL not in message
    assert get_block_storage().read_document("vault", "v") == before
    assert get_block_storage().read_document("vault", "second") is None
    monkeypatch.delenv("HEADWATER_ENCRYPTION_KEY")
    assert Vault.load("v").password.get_secret_value() == SENTINEL


def test_refused_write_names_the_key_file(
    headwater_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.fernet import Fernet

    monkeypatch.setenv("HEADWATER_ENCRYPTION_KEY", Fernet.generate_key().decode())
    Secret(value=SENTINEL).save("s")
    monkeypatch.delenv("HEADWATER_ENCRYPTION_KEY")
    (headwater_home / "encryption.key").write_bytes(Fernet.generate_key())
    with pytest.raises(EncryptionKeyError) as info:
        Secret(value="another").save("t")
    assert str(headwater_home / "encryption.key") in str(info.value)


def test_plain_blocks_save_whatever_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    from cryptography.fernet import Fernet
    from headwater.blocks import LocalFileSystem

    _vault().save("v")
    monkeypatch.setenv("HEADWATER_ENCRYPTION_KEY", Fernet.generate_key().decode())
    LocalFileSystem(basepath="/tmp").save("fs")
    assert LocalFileSystem.load("fs").basepath == "/tmp"


def test_key_path_that_is_a_directory(headwater_home: Path) -> None:
    (headwater_home / "encryption.key").mkdir()
    for attempt in (lambda: _vault().save("v"), lambda: Secret(value="x").save("s")):
        with pytest.raises(EncryptionKeyError) as info:
            attempt()
        message = str(info.value)
        assert str(headwater_home / "encryption.key") in message
        assert "directory" in message and "HEADWATER_ENCRYPTION_KEY" in message


# --- 3. results persisted with the json serializer -----------------------------------


class _Records(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def test_json_result_holding_a_secret_block_is_refused_with_a_warning(
    headwater_home: Path,
) -> None:
    from headwater import flow, task

    @task(result_serializer="json", persist_result=True)
    def fetch_vault() -> Vault:
        return _vault()

    @flow
    def pipeline() -> Vault:
        return fetch_vault()

    handler = _Records()
    logger = logging.getLogger("headwater.task_runs")
    logger.addHandler(handler)
    try:
        result = pipeline()
    finally:
        logger.removeHandler(handler)
    assert result.password.get_secret_value() == SENTINEL  # the run still gets its value
    warnings = [r.getMessage() for r in handler.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1, warnings
    assert "fetch_vault" in warnings[0] and "Vault.password" in warnings[0]
    assert "saved name" in warnings[0] and "persist_result=False" in warnings[0]
    for record in handler.records:
        assert SENTINEL not in record.getMessage() and DICT_SENTINEL not in record.getMessage()
    _assert_nowhere(headwater_home, SENTINEL, DICT_SENTINEL)


def test_json_serializer_refuses_secrets_anywhere() -> None:
    from headwater.persistence.serializers import JSONSerializer, SecretResultError

    ser = JSONSerializer()
    for value in (
        _vault(),
        [1, {"creds": _vault()}],
        Secret(value=SENTINEL),
        {"token": SecretStr(SENTINEL)},
        Vault.model_construct(user="u", password=SENTINEL, info={}),
    ):
        with pytest.raises(SecretResultError) as info:
            ser.dumps(value)
        assert SENTINEL not in str(info.value)
        assert "pickle" in str(info.value)
    assert ser.loads(ser.dumps({"a": [1, "x"]})) == {"a": [1, "x"]}
