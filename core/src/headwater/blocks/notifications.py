"""Notification blocks that need no SDK: `CustomWebhookNotificationBlock` (Prefect's "Custom Webhook").

    from headwater.blocks.notifications import CustomWebhookNotificationBlock

    hook = CustomWebhookNotificationBlock(
        name="ops",
        url="https://hooks.example.com/{{token}}",
        json_data={"text": "{{subject}}\\n{{body}}", "from": "{{name}}"},
        secrets={"token": "s3cr3t"},
    )
    hook.notify("Flow finished", subject="nightly")

Strings anywhere in `url`, `params`, `json_data`, `form_data`, `headers` and
`cookies` may hold `{{subject}}`, `{{body}}`, `{{name}}` or `{{KEY}}` for any
key of `secrets`. An unknown placeholder fails when the block is built, not
when the first alert is due. Secret values, and so any URL they were put
into, never appear in an error or log line, even when the server echoes them
back. httpx is imported only when a message is sent, so loading blocks stays
cheap. Prefect's Apprise-based blocks (its core "Slack Webhook" and the
others) are not here; Slack lives in headwater-slack.
"""

from __future__ import annotations

import contextlib
import ipaddress
import logging
import re
import socket
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any, Literal, Optional, Union
from urllib.parse import urlsplit

from pydantic import Field, model_validator

from headwater.blocks.abstract import NotificationBlock, NotificationError
from headwater.blocks.fields import SecretDict, is_secret
from headwater.utilities.loops import loop_running

__all__ = ["CustomWebhookError", "CustomWebhookNotificationBlock"]

_PLACEHOLDER = re.compile(r"\{\{\s*([\w.\-]+)\s*\}\}")
_CONTEXT_KEYS = ("subject", "body", "name")
_TEMPLATED_FIELDS = ("url", "params", "form_data", "json_data", "headers", "cookies")
_MASK = "********"
_EXCERPT = 300  # characters of a failing response's body shown in the error
# httpx logs every request's full URL at INFO, and httpcore the host at DEBUG; while a
# block sends, its secret values are masked in those loggers' records (see _MaskInLogs)
_HTTP_LOGGERS = ("httpx", "httpcore.connection", "httpcore.http11", "httpcore.http2")
_sending_secrets: ContextVar[tuple[str, ...]] = ContextVar("_sending_secrets", default=())


class CustomWebhookError(NotificationError):
    """A Custom Webhook could not deliver a message: unreachable, timed out, or HTTP >= 400.

    `status_code` is the HTTP status, or None when no response came back.
    (Prefect raised httpx.HTTPStatusError, whose message holds the full URL.)
    """

    def __init__(self, message: str, status_code: int | None = None) -> None:
        super().__init__(message)
        self.status_code = status_code


class CustomWebhookNotificationBlock(NotificationBlock):
    """Sends notifications to any webhook, with the request built from templates."""

    _block_type_name = "Custom Webhook"
    _documentation_url = "https://docs.headwater.dev/blocks/#custom-webhook-notifications"
    _code_example = """
        from headwater.blocks.notifications import CustomWebhookNotificationBlock

        custom_webhook_block = CustomWebhookNotificationBlock.load("BLOCK_NAME")
        custom_webhook_block.notify("Hello from headwater!")
    """

    name: str = Field(description="Name of the webhook, available to templates as {{name}}.")
    url: str = Field(
        title="Webhook URL",
        description="The webhook URL; may hold {{placeholders}}, e.g. a token from `secrets`.",
        examples=["https://hooks.example.com/{{token}}"],
    )
    method: Literal["GET", "POST", "PUT", "PATCH", "DELETE"] = Field(
        default="POST", description="The webhook request method. Defaults to `POST`."
    )
    params: Optional[dict[str, str]] = Field(
        default=None, title="Query Params", description="Custom query params."
    )
    json_data: Optional[dict[str, Any]] = Field(
        default=None,
        title="JSON Data",
        description="Send JSON data as payload.",
        examples=['{"text": "{{subject}}\\n{{body}}", "title": "{{name}}", "token": "{{token}}"}'],
    )
    form_data: Optional[Union[dict[str, str], str]] = Field(
        default=None,
        title="Form Data",
        description=(
            "Send form data as payload (not together with JSON Data): a dict is "
            "form-encoded, a string is sent as the raw body."
        ),
    )
    headers: Optional[dict[str, str]] = Field(default=None, description="Custom headers.")
    cookies: Optional[dict[str, str]] = Field(default=None, description="Custom cookies.")
    timeout: float = Field(default=10, description="Request timeout in seconds. Defaults to 10.")
    allow_private_urls: bool = Field(
        default=True,
        description=(
            "Whether the URL may point at a private, loopback or link-local address. "
            "Defaults to True."
        ),
    )
    secrets: SecretDict = Field(
        default_factory=lambda: SecretDict({}),
        title="Custom Secret Values",
        description="Secret values that templates reference as {{key}}; never shown or logged.",
        examples=['{"token": "SomeSecretToken"}'],
    )

    @model_validator(mode="after")
    def _check_templates(self) -> CustomWebhookNotificationBlock:
        if self.form_data is not None and self.json_data is not None:
            raise ValueError(
                f"Custom Webhook {self.name!r} has both form_data and json_data: "
                "a request has one body, so set only one of them."
            )
        known = set(_CONTEXT_KEYS) | set(self._secret_values())
        for field in _TEMPLATED_FIELDS:
            for placeholder in _placeholders(getattr(self, field)):
                if placeholder not in known:
                    secret_keys = ", ".join(sorted(self._secret_values())) or "none"
                    raise ValueError(
                        f"Custom Webhook {self.name!r}: {field} refers to "
                        f"{{{{{placeholder}}}}}, which is not a known placeholder. Use "
                        "{{subject}}, {{body}}, {{name}}, or a key of `secrets` "
                        f"(keys now: {secret_keys}); add {placeholder!r} to `secrets` "
                        "if it is a secret value."
                    )
        return self

    # --- sending -----------------------------------------------------------------
    def notify(self, body: str, subject: str | None = None, _sync: bool | None = None) -> Any:
        """Send `body` (and `subject`); raises CustomWebhookError when delivery fails.

        As in Prefect, inside a running event loop this returns a coroutine to
        await (`anotify`); `_sync=True` forces the blocking call.
        """
        if _sync is False or (_sync is None and loop_running()):
            return self.anotify(body, subject)
        import httpx

        request = self._request(body, subject)
        cookies = request.pop("cookies")
        with (
            self._failures_explained(request),
            httpx.Client(**_client_args(cookies, self.timeout)) as client,
        ):
            response = client.request(**request)
        self._check_response(response)
        return None

    async def anotify(self, body: str, subject: str | None = None) -> None:
        """`notify`, without blocking the event loop."""
        import httpx

        request = self._request(body, subject)
        cookies = request.pop("cookies")
        with self._failures_explained(request):
            async with httpx.AsyncClient(**_client_args(cookies, self.timeout)) as client:
                response = await client.request(**request)
        self._check_response(response)

    def _request(self, body: str, subject: str | None) -> dict[str, Any]:
        """Arguments for httpx's `request`, every template filled in."""
        values: dict[str, Any] = dict(self._secret_values())
        values.update(subject="null" if subject is None else subject, body=body, name=self.name)
        body_arg = "content" if isinstance(self.form_data, str) else "data"
        request: dict[str, Any] = _fill(
            {
                "method": self.method,
                "url": self.url,
                "params": self.params,
                body_arg: self.form_data,
                "json": self.json_data,
                "headers": self.headers,
                "cookies": self.cookies,
            },
            values,
        )
        if not self.allow_private_urls:
            self._refuse_private(request["url"])
        return request

    @contextlib.contextmanager
    def _failures_explained(self, request: dict[str, Any]) -> Iterator[None]:
        import httpx

        _mask_in_http_logs()
        token = _sending_secrets.set(self._secret_strings())
        try:
            yield
        except httpx.TimeoutException:
            raise CustomWebhookError(
                f"{self._label()} timed out after {self.timeout:g} s sending "
                f"{self.method} to {self._where(request)}: raise `timeout` or check the server."
            ) from None
        except httpx.HTTPError as exc:
            raise CustomWebhookError(
                f"{self._label()} could not reach {self._where(request)} "
                f"({type(exc).__name__}: {self._redact(str(exc))}): check the URL and that "
                "the server is up."
            ) from None
        finally:
            _sending_secrets.reset(token)

    def _check_response(self, response: Any) -> None:
        if response.status_code < 400:
            return
        excerpt = self._redact(response.text[:_EXCERPT].strip())
        raise CustomWebhookError(
            f"{self._label()} got HTTP {response.status_code} {response.reason_phrase} "
            f"from {self.method} {self.url}"
            + (f"; the server said: {excerpt}" if excerpt else "")
            + _status_hint(response.status_code),
            status_code=response.status_code,
        )

    # --- keeping secrets out of messages -----------------------------------------
    def _secret_values(self) -> dict[str, Any]:
        secrets: Any = self.secrets  # a plain dict after model_construct / model_copy
        raw = secrets.get_secret_value() if is_secret(secrets) else secrets
        return dict(raw or {})

    def _secret_strings(self) -> tuple[str, ...]:
        return tuple(sorted(_strings(self._secret_values()), key=len, reverse=True))

    def _redact(self, text: str) -> str:
        return _masked(text, self._secret_strings())

    def _where(self, request: dict[str, Any]) -> str:
        """The host the request went to, masked if a secret was put into it."""
        parts = urlsplit(str(request["url"]))
        return self._redact(parts.netloc or str(self.url))

    def _label(self) -> str:
        saved = self._block_document_name
        label = f"Custom Webhook {self.name!r}"
        return f"{label} (block custom-webhook/{saved})" if saved else label

    def _refuse_private(self, url: str) -> None:
        host = urlsplit(url).hostname or ""
        try:
            addresses = {info[4][0] for info in socket.getaddrinfo(host, None)}
        except OSError:
            return  # unresolvable: the request itself reports it
        for address in addresses:
            ip = ipaddress.ip_address(str(address).split("%")[0])
            if ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved:
                raise CustomWebhookError(
                    f"{self._label()} points at {self._redact(host)}, a private address "
                    f"({ip}), and allow_private_urls is False: use a public URL or set "
                    "allow_private_urls=True."
                )


def _masked(text: str, secrets: tuple[str, ...]) -> str:
    for secret in secrets:
        text = text.replace(secret, _MASK)
    return text


class _MaskInLogs(logging.Filter):
    """Masks the sending block's secret values in httpx's and httpcore's log records."""

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = _sending_secrets.get()
        if secrets:
            record.msg = _masked(record.getMessage(), secrets)
            record.args = None
        return True


_MASK_FILTER = _MaskInLogs()


def _mask_in_http_logs() -> None:
    for name in _HTTP_LOGGERS:
        logger = logging.getLogger(name)
        if _MASK_FILTER not in logger.filters:
            logger.addFilter(_MASK_FILTER)


def _client_args(cookies: dict[str, str] | None, timeout: float) -> dict[str, Any]:
    # cookies go on the client: httpx deprecates per-request cookies
    return {
        "headers": {"user-agent": "headwater notifications"},
        "cookies": cookies or None,
        "timeout": timeout,
    }


def _status_hint(status: int) -> str:
    if status in (401, 403):
        return ": check the token or credentials in `secrets`."
    if status == 404:
        return ": check the URL (and any {{placeholders}} in it)."
    if status == 429:
        return ": the server is rate limiting; send less often."
    if status >= 500:
        return ": the server failed; try again later."
    return ": check the request templates against what the server expects."


def _placeholders(template: Any) -> Iterator[str]:
    """Names of every `{{name}}` in a template (strings inside dicts and lists too)."""
    if isinstance(template, str):
        yield from _PLACEHOLDER.findall(template)
    elif isinstance(template, dict):
        for key, value in template.items():
            yield from _placeholders(key)
            yield from _placeholders(value)
    elif isinstance(template, (list, tuple)):
        for item in template:
            yield from _placeholders(item)


def _fill(template: Any, values: dict[str, Any]) -> Any:
    """`template` with every placeholder replaced; a string that is one placeholder takes the value as is."""
    if isinstance(template, str):
        whole = _PLACEHOLDER.fullmatch(template)
        if whole:
            return values[whole.group(1)]
        return _PLACEHOLDER.sub(lambda m: str(values[m.group(1)]), template)
    if isinstance(template, dict):
        return {_fill(key, values): _fill(value, values) for key, value in template.items()}
    if isinstance(template, (list, tuple)):
        return [_fill(item, values) for item in template]
    return template


def _strings(value: Any) -> Iterator[str]:
    """Every non-empty string (and the text of every number) inside a secret value."""
    if isinstance(value, str):
        if value:
            yield value
    elif isinstance(value, bool) or value is None:
        return
    elif isinstance(value, (int, float)):
        yield str(value)
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, (list, tuple)):
        for item in value:
            yield from _strings(item)
