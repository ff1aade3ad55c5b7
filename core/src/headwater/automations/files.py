"""Automations from YAML or JSON: one automation, a list, or `automations: [...]` (Prefect's).

Every problem is reported before anything is saved, naming the automation,
the field and the bad value, so a typo cannot half-apply a file.
"""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from headwater.automations.model import Automation, AutomationError


def parse_text(text: str, source: str, as_json: bool = False) -> list[dict[str, Any]]:
    """The automation documents in `text` (YAML unless `as_json`)."""
    try:
        if as_json:
            data = json.loads(text)
        else:
            import yaml

            data = yaml.safe_load(text)
    except Exception as exc:  # yaml.YAMLError / json.JSONDecodeError: both say where
        kind = "JSON" if as_json else "YAML"
        raise AutomationError(f"{source} is not valid {kind}: {exc}") from None
    if isinstance(data, dict) and set(data) == {"automations"}:
        data = data["automations"]
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list) or not all(isinstance(d, dict) for d in data) or not data:
        raise AutomationError(
            f"{source} holds no automation: write one mapping with name, trigger and "
            "actions, or `automations:` with a list of them"
        )
    return data


def build(documents: list[dict[str, Any]], source: str) -> list[Automation]:
    """Validate every document (and its blocks) before any is saved."""
    built = []
    for index, doc in enumerate(documents):
        label = f"automation {doc.get('name', f'#{index + 1}')!r} in {source}"
        try:
            automation = Automation.model_validate(doc)
        except ValidationError as exc:
            raise AutomationError(f"{label}: {explain(exc)}") from None
        try:
            automation.check()
        except AutomationError as exc:
            raise AutomationError(f"{label}: {exc}") from None
        built.append(automation)
    return built


def explain(exc: ValidationError) -> str:
    """Pydantic's errors as `field.path: message (got value)`, one per line."""
    lines = []
    for error in exc.errors()[:10]:
        where = ".".join(str(p) for p in error["loc"]) or "(top level)"
        message = error["msg"]
        if error["type"] == "extra_forbidden":
            message = "unknown field; check the spelling against Prefect's automation schema"
        got = error.get("input")
        shown = "" if isinstance(got, (dict, list)) else f" (got {got!r})"
        lines.append(f"{where}: {message}{shown}")
    return "; ".join(lines)
