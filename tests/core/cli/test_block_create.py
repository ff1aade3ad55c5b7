"""`headwater block create` and `headwater block types`: fields filled from prompts, --set or a
file, validated by the block's model, saved; secrets never echoed, printed or stored in clear."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pydantic
import pytest
from click.testing import CliRunner
from headwater.blocks import Block, SecretStr
from headwater.blocks.system import Secret
from headwater.cli.main import build_cli
from pydantic import BaseModel, Field

SENTINEL = "sentinel-CLI-secret-5d0b"


class CliTimeouts(BaseModel):
    connect: float = Field(default=5.0, description="Seconds to connect.")
    verify: bool = Field(default=True, description="Verify TLS.")


class CliApiConfig(Block):
    """An API the CLI tests configure."""

    url: str = Field(description="Base URL.")
    retries: int = Field(default=0, description="Retries.")
    token: SecretStr = Field(description="API token.")
    pin: pydantic.Secret[int] | None = Field(default=None, description="A numeric secret.")
    timeouts: CliTimeouts = Field(default_factory=CliTimeouts, description="Timeouts.")


class CliService(Block):
    """A service that uses a saved CliApiConfig."""

    name: str = Field(description="Service name.")
    api: CliApiConfig = Field(description="The API it calls.")


def hw(*args: str, input: str | None = None):
    result = CliRunner().invoke(build_cli(), list(args), input=input)
    assert SENTINEL not in result.output, "a secret value was printed"
    return result


def raw_store(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())


def test_set_creates_a_secret_block(headwater_home: Path):
    result = hw("block", "create", "secret", "db-password", "--set", f"value={SENTINEL}")
    assert result.exit_code == 0, result.output
    assert "Saved block secret/db-password" in result.output and "value" in result.output
    assert Secret.load("db-password").get() == SENTINEL
    assert SENTINEL.encode() not in raw_store(headwater_home)


def test_prompts_read_the_secret_without_echo(headwater_home: Path):
    result = hw("block", "create", "secret", "typed", input=f"{SENTINEL}\n")
    assert result.exit_code == 0, result.output
    assert "value (" in result.output, "the prompt names the field"
    assert Secret.load("typed").get() == SENTINEL
    assert SENTINEL.encode() not in raw_store(headwater_home)


def test_prompted_in_a_real_process_without_a_terminal(headwater_home: Path):
    code = "import sys; from headwater.cli.main import main; sys.argv[0] = 'headwater'; main()"
    done = subprocess.run(
        [sys.executable, "-c", code, "block", "create", "secret", "piped"],
        input=f"{SENTINEL}\n",
        capture_output=True,
        text=True,
        start_new_session=True,  # no controlling terminal: input comes from the pipe
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    assert SENTINEL not in done.stdout + done.stderr
    assert Secret.load("piped").get() == SENTINEL
    assert SENTINEL.encode() not in raw_store(headwater_home)


def test_a_required_field_is_asked_again_when_left_empty():
    result = hw("block", "create", "secret", "again", input=f"\n{SENTINEL}\n")
    assert result.exit_code == 0, result.output
    assert "value is required" in result.output
    assert Secret.load("again").get() == SENTINEL


def test_from_file_with_json_values(tmp_path: Path):
    values = tmp_path / "values.json"
    values.write_text(json.dumps({"value": {"user": "admin", "password": SENTINEL}}))
    result = hw("block", "create", "secret", "json-secret", "--from-file", str(values))
    assert result.exit_code == 0, result.output
    assert Secret.load("json-secret").get() == {"user": "admin", "password": SENTINEL}


@pytest.mark.parametrize(
    ("content", "message"),
    [("{not json", "is not valid JSON"), ("[1, 2]", "holds a list")],
)
def test_bad_values_file(tmp_path: Path, content: str, message: str):
    values = tmp_path / "values.json"
    values.write_text(content)
    result = hw("block", "create", "secret", "x", "--from-file", str(values))
    assert result.exit_code == 2 and message in result.output and "values.json" in result.output


def test_overwrite_is_needed_to_replace():
    assert hw("block", "create", "secret", "s", "--set", "value=one").exit_code == 0
    again = hw("block", "create", "secret", "s", "--set", "value=two")
    assert again.exit_code == 1 and "--overwrite" in again.output
    assert Secret.load("s").get() == "one"
    replaced = hw("block", "create", "secret", "s", "--set", "value=two", "--overwrite")
    assert replaced.exit_code == 0, replaced.output
    assert Secret.load("s").get() == "two"


def test_nested_fields_and_json_values():
    result = hw(
        "block", "create", "cli-api-config", "prod",
        "--set", "url=https://api.example",
        "--set", "retries=3",
        "--set", f"token={SENTINEL}",
        "--set", "pin=1234",
        "--set", "timeouts.connect=2.5",
        "--set", "timeouts.verify=false",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    block = CliApiConfig.load("prod")
    assert (block.retries, block.timeouts.connect, block.timeouts.verify) == (3, 2.5, False)
    assert block.token.get_secret_value() == SENTINEL and block.pin.get_secret_value() == 1234


def test_text_fields_keep_text_that_looks_like_json():
    result = hw("block", "create", "cli-api-config", "t", "--set", "url=123", "--set", "token=456")
    assert result.exit_code == 0, result.output
    block = CliApiConfig.load("t")
    assert block.url == "123" and block.token.get_secret_value() == "456"


def test_validation_errors_name_each_field_and_fix_without_values():
    result = hw(
        "block", "create", "cli-api-config", "bad",
        "--set", "retries=lots",
        "--set", f"pin={SENTINEL}",
        "--set", "timeouts.connect=soon",
        "--set", "timout=1",
    )  # fmt: skip
    assert result.exit_code == 1
    out = result.output
    assert "Cannot create cli-api-config/bad" in out
    assert "url: it is required: --set url=VALUE" in out
    assert "token: it is required" in out
    assert "retries: Input should be a valid integer" in out and "--set retries=VALUE" in out
    assert "pin: " in out
    assert "timeouts.connect: Input should be a valid number" in out
    assert "timout: unknown field; did you mean 'timeouts'?" in out
    assert "lots" not in out and "soon" not in out


def test_malformed_set():
    result = hw("block", "create", "secret", "x", "--set", "value")
    assert result.exit_code == 2 and "is not FIELD=VALUE" in result.output


def test_unknown_type_lists_the_known_ones():
    result = hw("block", "create", "no-such-type", "x", "--set", "a=1")
    assert result.exit_code == 1
    assert "'no-such-type'" in result.output and "secret" in result.output


def test_a_block_field_takes_a_saved_block_by_reference():
    hw(
        "block",
        "create",
        "cli-api-config",
        "shared",
        "--set",
        "url=u",
        "--set",
        f"token={SENTINEL}",
    )
    result = hw(
        "block",
        "create",
        "cli-service",
        "svc",
        "--set",
        "name=s",
        "--set",
        "api=cli-api-config/shared",
    )
    assert result.exit_code == 0, result.output
    service = CliService.load("svc")
    assert service.api.token.get_secret_value() == SENTINEL
    missing = hw(
        "block",
        "create",
        "cli-service",
        "svc2",
        "--set",
        "name=s",
        "--set",
        "api=cli-api-config/nope",
    )
    assert missing.exit_code == 1 and "api:" in missing.output and "'shared'" in missing.output


def test_types_lists_fields_with_required_and_secret():
    result = hw("block", "types")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert lines[0].split()[:3] == ["SLUG", "NAME", "PACKAGE"]
    secret_row = next(line for line in lines if line.startswith("secret "))
    assert secret_row.split()[2] == "headwater"
    start = lines.index("secret (headwater): fields")
    assert lines[start + 1].split() == ["FIELD", "TYPE", "REQUIRED", "SECRET"]
    assert lines[start + 2].split()[0] == "value" and lines[start + 2].split()[-2:] == [
        "yes",
        "yes",
    ]


def test_types_json_and_one_slug():
    result = hw("block", "types", "cli-api-config", "-o", "json")
    assert result.exit_code == 0, result.output
    (entry,) = json.loads(result.output)
    fields = {f["name"]: f for f in entry["fields"]}
    assert fields["token"]["secret"] is True and fields["token"]["required"] is True
    assert fields["retries"]["type"] == "int" and fields["retries"]["required"] is False
    assert fields["timeouts.connect"]["type"] == "float"
    assert fields["pin"]["secret"] is True
    unknown = hw("block", "types", "nope")
    assert unknown.exit_code == 1 and "No block type 'nope'" in unknown.output
