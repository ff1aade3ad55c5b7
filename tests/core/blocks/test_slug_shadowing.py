"""A user's Block class whose slug an installed plugin already registers.

`Block.load("slug/name")` resolves the plugin's class first, so saving such a
class warns, naming both classes and the fix, instead of loading the wrong
class silently later.
"""

from __future__ import annotations

import warnings

import pytest
from headwater.blocks import Block, Secret
from pydantic import SecretStr


class MySecret(Block):
    _block_type_slug = "secret"  # core's Secret is registered under this slug
    value: SecretStr


class OwnSlug(Block):
    value: str


def test_saving_a_class_that_a_plugin_shadows_warns_naming_both_and_the_fix() -> None:
    with pytest.warns(UserWarning) as caught:
        MySecret(value=SecretStr("s3cr3t-sentinel")).save("mine")
    message = str(caught[0].message)
    assert "test_slug_shadowing:MySecret" in message
    assert "headwater.blocks.system:Secret" in message
    assert "_block_type_slug" in message and "MySecret.load" in message
    assert "s3cr3t-sentinel" not in message
    assert MySecret.load("mine").value.get_secret_value() == "s3cr3t-sentinel"


def test_registered_and_unshadowed_classes_save_without_a_warning() -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        Secret(value="x").save("plain")
        OwnSlug(value="y").save("own")
    assert Block.load("own-slug/own").value == "y"  # type: ignore[attr-defined]
