"""GcpCredentials: a real service account key format (throwaway RSA key) builds google-auth
credentials; the key is masked in reprs, dumps, logs, errors, the CLI and the raw store."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pydantic
import pytest
from click.testing import CliRunner
from headwater.testing.conformance.blocks import BlockConformance


def _private_bits(info: dict) -> list[str]:
    body = info["private_key"].splitlines()[1]  # a line of the base64 key body
    return [info["private_key"], body, info["private_key_id"]]


def _files_under(home: Path) -> bytes:
    return b"".join(p.read_bytes() for p in home.rglob("*") if p.is_file())


def test_service_account_info_builds_credentials(service_account_info) -> None:
    from google.oauth2 import service_account
    from headwater_gcp import GcpCredentials

    block = GcpCredentials(service_account_info=service_account_info)
    credentials = block.get_credentials_from_service_account()
    assert isinstance(credentials, service_account.Credentials)
    assert credentials.service_account_email == service_account_info["client_email"]
    assert credentials.project_id == "headwater-test"
    assert block.resolved_project() == "headwater-test"
    # the key really signs (what google-auth does to get a token)
    assert len(credentials.sign_bytes(b"payload")) == 256


def test_service_account_info_as_json_string_and_file(service_account_info, tmp_path) -> None:
    from headwater_gcp import GcpCredentials

    from_text = GcpCredentials(service_account_info=json.dumps(service_account_info))
    assert from_text.service_account_info.get_secret_value() == service_account_info
    key_file = tmp_path / "key.json"
    key_file.write_text(json.dumps(service_account_info))
    from_file = GcpCredentials(service_account_file=key_file)
    email = from_file.get_credentials_from_service_account().service_account_email
    assert email == service_account_info["client_email"]


def test_bad_inputs_are_named_without_the_key(service_account_info, tmp_path) -> None:
    from headwater_gcp import GcpCredentials

    secret_bits = _private_bits(service_account_info)
    (tmp_path / "k.json").write_text("{}")
    with pytest.raises(pydantic.ValidationError, match="Only one of") as both:
        GcpCredentials(
            service_account_info=service_account_info,
            service_account_file=tmp_path / "k.json",
        )
    with pytest.raises(pydantic.ValidationError, match="does not exist"):
        GcpCredentials(service_account_file=tmp_path / "missing.json")
    with pytest.raises(pydantic.ValidationError, match="not valid JSON") as text:
        GcpCredentials(service_account_info="{" + service_account_info["private_key"])
    broken = {**service_account_info, "private_key": "-----BEGIN PRIVATE KEY-----\nAAAA-bad"}
    with pytest.raises(ValueError, match="not a usable service account key") as unusable:
        GcpCredentials(service_account_info=broken).get_credentials_from_service_account()
    for raised in (both, text, unusable):
        for bit in secret_bits + ["AAAA-bad"]:
            assert bit not in str(raised.value)


def test_no_key_and_no_adc_says_how_to_fix(monkeypatch, tmp_path) -> None:
    from google.auth.exceptions import DefaultCredentialsError
    from headwater_gcp import GcpCredentials

    monkeypatch.delenv("GOOGLE_APPLICATION_CREDENTIALS", raising=False)
    monkeypatch.delenv("STORAGE_EMULATOR_HOST", raising=False)
    monkeypatch.setenv("CLOUDSDK_CONFIG", str(tmp_path / "gcloud"))
    monkeypatch.setenv("NO_GCE_CHECK", "True")  # this machine is not a GCE VM
    block = GcpCredentials()  # building it needs nothing
    with pytest.raises(DefaultCredentialsError, match="application-default login"):
        block.get_cloud_storage_client()


def test_get_client_by_name(gcs_server) -> None:
    from google.cloud.storage import Client
    from headwater_gcp import GcpCredentials

    block = GcpCredentials(project="p1")
    assert isinstance(block.get_client("cloud_storage"), Client)
    assert block.get_cloud_storage_client(project="p2").project == "p2"
    with pytest.raises(ValueError, match="Unknown client_type 'nope'.*'cloud_storage'"):
        block.get_client("nope")


def test_key_never_shown_anywhere(service_account_info, headwater_home: Path, caplog) -> None:
    from headwater.cli.main import build_cli
    from headwater_gcp import GcpCredentials, GcsBucket

    caplog.set_level(logging.DEBUG)
    creds = GcpCredentials(service_account_info=service_account_info, project="p")
    bucket = GcsBucket(bucket="b", gcp_credentials=creds)
    bucket.save("secret-check")
    loaded = GcsBucket.load("secret-check")
    assert loaded.gcp_credentials.service_account_info.get_secret_value() == service_account_info
    shown = repr(bucket) + str(loaded) + repr(loaded.model_dump()) + loaded.model_dump_json()
    runner = CliRunner()
    for fmt in ("table", "json"):
        out = runner.invoke(build_cli(), ["block", "inspect", "gcs-bucket/secret-check", "-o", fmt])
        assert out.exit_code == 0, out.output
        shown += out.output
    shown += caplog.text
    for bit in _private_bits(service_account_info):
        assert bit not in shown
        assert bit.encode() not in _files_under(headwater_home)


def test_cli_lists_the_plugin_and_its_block_types() -> None:
    from headwater.cli.main import build_cli

    runner = CliRunner()
    plugins = runner.invoke(build_cli(), ["plugins"])
    assert plugins.exit_code == 0, plugins.output
    assert "headwater-gcp" in plugins.output or "gcp" in plugins.output
    types = runner.invoke(build_cli(), ["block", "types"])
    assert types.exit_code == 0, types.output
    assert "gcs-bucket" in types.output and "gcp-credentials" in types.output


def test_result_storage_by_slug_resolves(service_account_info, headwater_home) -> None:
    from headwater.blocks.core import Block
    from headwater_gcp import GcsBucket

    GcsBucket(bucket="b", bucket_folder="r").save("results")
    assert isinstance(Block.load("gcs-bucket/results"), GcsBucket)


def _key_for_conformance(info: dict) -> dict:
    # The suite treats every value of a SecretDict as secret text that must not appear
    # anywhere; "type": "service_account" is also a substring of the field names.
    return {k: v for k, v in info.items() if k != "type"}


class TestGcpCredentialsConformance(BlockConformance):
    @pytest.fixture
    def block(self, service_account_info):
        from headwater_gcp import GcpCredentials

        info = _key_for_conformance(service_account_info)
        return GcpCredentials(service_account_info=info, project="conformance")


class TestGcsBucketConformance(BlockConformance):
    @pytest.fixture
    def block(self, service_account_info):
        from headwater_gcp import GcpCredentials, GcsBucket

        creds = GcpCredentials(service_account_info=_key_for_conformance(service_account_info))
        return GcsBucket(bucket="conformance-bucket", gcp_credentials=creds, bucket_folder="f")
