"""Secret fields: encrypted at rest, masked everywhere, clear errors for a wrong or missing key."""

from __future__ import annotations

import logging
import os
import stat
import subprocess
import sys
from pathlib import Path

import pydantic
import pytest
from click.testing import CliRunner
from headwater.blocks import Block, EncryptionKeyError, Secret, SecretDict, SecretStr

SECRET = "hunter2-very-secret"
DICT_SECRET = "private-key-material-42"


class Creds(Block):
    """Test credentials."""

    user: str = pydantic.Field(description="user")
    password: SecretStr = pydantic.Field(description="password")
    info: SecretDict = pydantic.Field(description="service account info")


def _db_bytes(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in home.glob("headwater.db*"))


def _save(home: Path) -> Creds:
    creds = Creds(user="alice", password=SECRET, info={"private_key": DICT_SECRET})
    creds.save("c")
    return creds


def test_secrets_not_in_the_raw_database_file(headwater_home: Path) -> None:
    _save(headwater_home)
    Secret(value=SECRET + "-str").save("s")
    raw = _db_bytes(headwater_home)
    assert raw, "database file missing"
    for text in (SECRET, DICT_SECRET, SECRET + "-str"):
        assert text.encode() not in raw
    assert b"alice" in raw  # plain fields stay readable (and queryable)


def test_round_trip_in_clear_only_on_demand(headwater_home: Path) -> None:
    _save(headwater_home)
    loaded = Creds.load("c")
    assert loaded.password.get_secret_value() == SECRET
    assert loaded.info.get_secret_value() == {"private_key": DICT_SECRET}
    for shown in (
        repr(loaded),
        str(loaded),
        repr(loaded.model_dump()),
        str(loaded.model_dump(mode="json")),
    ):
        assert SECRET not in shown and DICT_SECRET not in shown


def test_key_file_created_0600(headwater_home: Path) -> None:
    _save(headwater_home)
    key = headwater_home / "encryption.key"
    assert key.exists()
    assert stat.S_IMODE(key.stat().st_mode) == 0o600
    assert key.read_bytes() not in _db_bytes(headwater_home)


def test_key_from_setting(headwater_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from cryptography.fernet import Fernet

    monkeypatch.setenv("HEADWATER_ENCRYPTION_KEY", Fernet.generate_key().decode())
    _save(headwater_home)
    assert not (headwater_home / "encryption.key").exists()
    assert Creds.load("c").password.get_secret_value() == SECRET


def test_wrong_key_is_a_clear_error_and_blocks_stay_intact(
    headwater_home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.fernet import Fernet

    _save(headwater_home)
    before = Creds.__mro__  # noqa: F841 - keep the class alive
    wrong = Fernet.generate_key().decode()
    monkeypatch.setenv("HEADWATER_ENCRYPTION_KEY", wrong)
    with pytest.raises(EncryptionKeyError) as info:
        Creds.load("c")
    message = str(info.value)
    assert "creds/c" in message and "key" in message
    assert wrong not in message and SECRET not in message
    monkeypatch.delenv("HEADWATER_ENCRYPTION_KEY")
    assert Creds.load("c").password.get_secret_value() == SECRET


def test_missing_key_file_is_a_clear_error_and_not_regenerated(headwater_home: Path) -> None:
    _save(headwater_home)
    key = headwater_home / "encryption.key"
    saved = key.read_bytes()
    key.unlink()
    with pytest.raises(EncryptionKeyError, match="missing"):
        Creds.load("c")
    with pytest.raises(EncryptionKeyError, match="missing"):
        Creds(user="b", password="x" * 8, info={}).save("d")
    assert not key.exists()
    key.write_bytes(saved)
    assert Creds.load("c").password.get_secret_value() == SECRET


def test_invalid_key_setting(headwater_home: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("HEADWATER_ENCRYPTION_KEY", "not-a-fernet-key")
    with pytest.raises(EncryptionKeyError, match="not a valid Fernet key") as info:
        _save(headwater_home)
    assert "not-a-fernet-key" not in str(info.value)


def test_secret_loads_in_another_process(headwater_home: Path) -> None:
    _save(headwater_home)
    code = (
        f"import sys; sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from test_secrets import Creds\n"
        "print(Creds.load('c').password.get_secret_value())\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=os.environ.copy()
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == SECRET


def test_secret_block_values() -> None:
    Secret(value="plain").save("a")
    Secret(value=["x", {"y": 1}]).save("b")
    assert Secret.load("a").get() == "plain"
    assert Secret.load("b").get() == ["x", {"y": 1}]
    assert "plain" not in repr(Secret.load("a"))


def test_cli_masks_secrets(headwater_home: Path) -> None:
    from headwater.cli.main import build_cli

    _save(headwater_home)
    Secret(value=SECRET).save("s")
    runner = CliRunner()
    cli = build_cli()
    listing = runner.invoke(cli, ["block", "ls"])
    assert listing.exit_code == 0, listing.output
    assert "creds/c" in listing.output and "secret/s" in listing.output
    for ref in ("creds/c", "secret/s"):
        for fmt in ("table", "json"):
            shown = runner.invoke(cli, ["block", "inspect", ref, "-o", fmt])
            assert shown.exit_code == 0, shown.output
            assert "********" in shown.output
            assert SECRET not in shown.output and DICT_SECRET not in shown.output
    types = runner.invoke(cli, ["block", "types"])
    assert "secret" in types.output and "local-file-system" in types.output
    assert runner.invoke(cli, ["block", "type", "ls"]).output == types.output
    missing = runner.invoke(cli, ["block", "inspect", "secret/nope"])
    assert missing.exit_code != 0 and "'nope'" in missing.output and "'s'" in missing.output
    deleted = runner.invoke(cli, ["block", "delete", "secret/s"])
    assert deleted.exit_code == 0 and "Deleted" in deleted.output
    assert runner.invoke(cli, ["block", "delete", "secret/s"]).exit_code != 0


def test_secrets_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    creds = Creds(user="u", password=SECRET, info={"k": DICT_SECRET})
    logging.getLogger("test").info("creds: %s %r", creds, creds)
    assert SECRET not in caplog.text and DICT_SECRET not in caplog.text
