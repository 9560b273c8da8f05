"""One error model: services raise AppError subclasses, one handler renders them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

log = structlog.get_logger(__name__)


class AppError(Exception):
    """An error a client can act on; rendered as `{success: false, error, detail}`."""

    status_code = 400
    code = "BadRequest"

    def __init__(self, detail: str, *, headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.headers = headers


class BadRequest(AppError):
    status_code = 400
    code = "BadRequest"


class Unauthorized(AppError):
    status_code = 401
    code = "Unauthorized"


class Forbidden(AppError):
    status_code = 403
    code = "Forbidden"


class NotFound(AppError):
    status_code = 404
    code = "NotFound"


class Conflict(AppError):
    status_code = 409
    code = "Conflict"


class Gone(AppError):
    status_code = 410
    code = "Gone"


class PayloadTooLarge(AppError):
    status_code = 413
    code = "PayloadTooLarge"


class UnsupportedMediaType(AppError):
    status_code = 415
    code = "UnsupportedMediaType"


class Unprocessable(AppError):
    status_code = 422
    code = "ValidationError"


class RateLimited(AppError):
    status_code = 429
    code = "RateLimited"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(max(1, retry_after))})
        self.retry_after = retry_after


class UpstreamError(AppError):
    status_code = 502
    code = "UpstreamError"


class ServiceUnavailable(AppError):
    status_code = 503
    code = "ServiceUnavailable"


class UpstreamTimeout(AppError):
    status_code = 504
    code = "UpstreamTimeout"


_HTTP_CODES = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    406: "NotAcceptable",
    409: "Conflict",
    413: "PayloadTooLarge",
    415: "UnsupportedMediaType",
    422: "ValidationError",
    429: "RateLimited",
}


def error_body(code: str, detail: str) -> dict[str, Any]:
    return {"success": False, "error": code, "detail": detail}


def describe_validation_errors(errors: Sequence[Any]) -> str:
    """Turn pydantic errors into one sentence that names each offending field."""
    parts = []
    for err in errors[:10]:
        loc = [str(p) for p in err.get("loc", ()) if p not in ("body", "query", "path", "header")]
        where = ".".join(loc) or "request"
        parts.append(f"{where}: {err.get('msg', 'invalid value')}")
    return "; ".join(parts)


async def _app_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, AppError)
    return JSONResponse(
        error_body(exc.code, exc.detail), status_code=exc.status_code, headers=exc.headers
    )


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    return JSONResponse(
        error_body("ValidationError", describe_validation_errors(exc.errors())), status_code=422
    )


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code = _HTTP_CODES.get(exc.status_code, "Error")
    return JSONResponse(
        error_body(code, str(exc.detail)),
        status_code=exc.status_code,
        headers=getattr(exc, "headers", None),
    )


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    # The type only: messages of driver errors can carry SQL or connection strings.
    log.error("unhandled_error", error_type=type(exc).__name__)
    request_id = request.scope.get("state", {}).get("request_id", "")
    detail = "An unexpected error occurred."
    if request_id:
        detail += f" Reference: {request_id}."
    return JSONResponse(error_body("InternalError", detail), status_code=500)


DATABASE_DOWN = "The database is unavailable: try again shortly."


async def _database_error(request: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, DBAPIError)
    # No connection could be made, or the server dropped it: what the account check on every
    # signed-in request answers too. Any other driver error is a bug (500).
    if exc.connection_invalidated or exc.statement is None:
        log.warning("database_unavailable", error_type=type(exc.orig).__name__)
        return JSONResponse(error_body(ServiceUnavailable.code, DATABASE_DOWN), status_code=503)
    return await _unexpected(request, exc)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(AppError, _app_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(DBAPIError, _database_error)
    app.add_exception_handler(Exception, _unexpected)
