"""Slack's error codes turned into messages that say what to do.

Slack answers a failed Web API call with `{"ok": false, "error": "<code>"}`
(slack_sdk raises SlackApiError) and a failed webhook post with a bare code
as the body ("invalid_token", "channel_not_found", ...). Messages here name
the channel or the webhook's host, never the webhook URL or the token.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from headwater_slack.clients import RATE_LIMIT_RETRIES, hide_url_paths

if TYPE_CHECKING:
    from slack_sdk.errors import SlackApiError

__all__ = ["explain_api_error", "hint_for"]

_TOKEN = "check the token saved in SlackCredentials (a bot token starts with xoxb-)"
_HINTS = {
    "channel_not_found": "no channel by that name or ID is visible to the app: check the "
    "name, or invite the app to the channel",
    "not_in_channel": "the app is not a member of the channel: invite it (/invite @app)",
    "is_archived": "the channel is archived: unarchive it or post elsewhere",
    "channel_is_archived": "the channel is archived: unarchive it or post elsewhere",
    "invalid_auth": f"Slack did not accept the token: {_TOKEN}",
    "not_authed": f"no token was sent: {_TOKEN}",
    "token_revoked": f"the token was revoked: {_TOKEN}",
    "account_inactive": f"the token's app or user is deactivated: {_TOKEN}",
    "missing_scope": "the token lacks a scope this call needs: add chat:write to the app",
    "no_text": "the message is empty: give text, attachments or slack_blocks",
    "invalid_blocks": "slack_blocks is not valid Block Kit: check it in Slack's Block Kit Builder",
    "ratelimited": f"Slack kept rate limiting after {RATE_LIMIT_RETRIES} waits: send less often",
    "invalid_token": "the webhook was disabled or its URL is wrong: create a new incoming "
    "webhook and save its URL",
    "no_service": "the webhook was removed or its URL is wrong: create a new incoming "
    "webhook and save its URL",
    "action_prohibited": "an admin restricted posting to this channel",
    "posting_to_general_channel_denied": "only admins may post to this channel",
    "invalid_payload": "Slack could not parse the message: check attachments/slack_blocks",
}


def hint_for(code: str) -> str:
    """What to do about Slack error `code` (empty when there is no advice)."""
    return _HINTS.get(code.strip(), "")


def explain_api_error(exc: SlackApiError, call: str, channel: str | None = None) -> SlackApiError:
    """A SlackApiError like `exc` whose message names the call, the channel and the fix."""
    from slack_sdk.errors import SlackApiError

    response: Any = exc.response
    code = str(response.get("error", "") if hasattr(response, "get") else "") or "unknown_error"
    status = getattr(response, "status_code", None)
    where = f" to channel {channel!r}" if channel else ""
    hint = hint_for(code)
    message = f"Slack {call}{where} failed with {code!r} (HTTP {status})" + (
        f": {hint}." if hint else "."
    )
    return SlackApiError(hide_url_paths(message), response)
