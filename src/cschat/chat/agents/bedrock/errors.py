"""Bedrock failures mapped to our AppErrors, with messages a Supervisor can act on."""

from __future__ import annotations

import math

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectTimeoutError,
    EndpointConnectionError,
    ReadTimeoutError,
)
from urllib3.exceptions import HTTPError as StreamError
from urllib3.exceptions import ReadTimeoutError as StreamReadTimeout

from cschat.core.errors import AppError, ServiceUnavailable, UpstreamError, UpstreamTimeout

# Worth another attempt while no text has reached the user (the agent is not idempotent).
RETRYABLE = frozenset(
    {
        "throttlingexception",
        "internalserverexception",
        "badgatewayexception",
        "serviceunavailableexception",
        "serviceunavailable",
    }
)
_THROTTLED = frozenset({"throttlingexception", "servicequotaexceededexception"})
_ACTIONABLE = {
    "accessdeniedexception": (
        "Bedrock denied access: the server's IAM role needs bedrock:InvokeAgent on the agent alias."
    ),
    "resourcenotfoundexception": (
        "Bedrock agent or alias not found: check BEDROCK_AGENT_ID, BEDROCK_AGENT_ALIAS_ID and "
        "AWS_REGION."
    ),
    "validationexception": (
        "Bedrock rejected the request as invalid: check the agent's configuration and action "
        "group schema (`cschat bedrock schema`)."
    ),
    "conflictexception": "Bedrock reported a conflict on this session; start a new chat session.",
    "dependencyfailedexception": (
        "A dependency of the Bedrock agent failed (Lambda, knowledge base or model): check its "
        "logs in AWS."
    ),
    "modelnotreadyexception": "The Bedrock agent's model is not ready yet; try again shortly.",
}


class MalformedStream(Exception):
    """What Bedrock sent is not a readable InvokeAgent answer; the message says what was wrong."""


class AnswerTimeout(Exception):
    """The answer went on past BEDROCK_ANSWER_TIMEOUT (a read timeout only bounds the gaps)."""


def error_code(exc: ClientError) -> str:
    """The lower-cased error code of a botocore ClientError (HTTP or in-stream)."""
    return str(exc.response.get("Error", {}).get("Code", "")).lower()


def is_retryable(exc: BaseException) -> bool:
    """A server-side or throttling failure that another attempt may not meet."""
    return isinstance(exc, ClientError) and error_code(exc) in RETRYABLE


def to_app_error(exc: BaseException, *, retry_after: float) -> AppError:
    """The AppError (and HTTP status) a Bedrock failure becomes."""
    # Reads of an open event stream raise urllib3's errors, not botocore's.
    if isinstance(exc, ConnectTimeoutError | ReadTimeoutError | StreamReadTimeout):
        return UpstreamTimeout(
            "Bedrock did not answer in time (BEDROCK_CONNECT_TIMEOUT / BEDROCK_READ_TIMEOUT)."
        )
    if isinstance(exc, AnswerTimeout):
        return UpstreamTimeout("Bedrock's answer took longer than BEDROCK_ANSWER_TIMEOUT.")
    if isinstance(exc, StreamError):
        return UpstreamError("The connection to Bedrock broke while the answer was streaming.")
    if isinstance(exc, MalformedStream):
        return UpstreamError(str(exc))
    if isinstance(exc, EndpointConnectionError):
        return UpstreamError("Bedrock could not be reached: check AWS_REGION and the network.")
    if isinstance(exc, ClientError):
        code = error_code(exc)
        if code in _THROTTLED:
            seconds = str(max(1, math.ceil(retry_after)))
            return ServiceUnavailable(
                "The Bedrock agent is busy (throttled); try again in a moment.",
                headers={"Retry-After": seconds},
            )
        if code in _ACTIONABLE:
            return UpstreamError(_ACTIONABLE[code])
        if code in RETRYABLE:
            return UpstreamError("Bedrock failed repeatedly with a server error; try again later.")
        return UpstreamError(f"Bedrock failed ({code or 'unknown error'}).")
    return UpstreamError("The Bedrock agent failed unexpectedly.")


# Everything `to_app_error` maps; anything else is a bug of ours and propagates.
UPSTREAM_FAILURES = (ClientError, BotoCoreError, StreamError, MalformedStream, AnswerTimeout)
