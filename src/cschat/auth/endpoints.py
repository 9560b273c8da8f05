"""/auth: sign-in (password or code flow), refresh, who am I, sign-out; the local JWKS."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from pydantic import ValidationError

from cschat.audit import service as audit
from cschat.auth import cookies, service
from cschat.auth.dependencies import (
    CurrentUser,
    LimiterDep,
    ProviderDep,
    PublicRoute,
    SettingsDep,
)
from cschat.auth.pages import page_headers, sign_in_page
from cschat.auth.providers.base import TokenSet
from cschat.auth.providers.local import LocalProvider, RefreshTokenReused
from cschat.auth.schemas import LoginCreate, LoginUrlRead, LogoutRead, MeRead, SignInRead
from cschat.core.config import Settings
from cschat.core.db import SessionDep
from cschat.core.errors import (
    AppError,
    BadRequest,
    NotFound,
    Unauthorized,
    Unprocessable,
    describe_validation_errors,
    error_body,
)
from cschat.users.models import User

router = APIRouter(tags=["auth"])

MAX_STATE_LENGTH = 512
_LOGIN_BODY = {
    "required": True,
    "content": {
        media: {"schema": LoginCreate.model_json_schema()}
        for media in ("application/json", "application/x-www-form-urlencoded")
    },
}


def client_ip(request: Request) -> str:
    return request.client.host if request.client else "unknown"


async def _login_failed(
    session: SessionDep, request: Request, exc: AppError, *, email: str | None, method: str
) -> None:
    await audit.record_failure(
        session,
        actor=(email or "anonymous").strip().lower(),
        action="auth.login_failed",
        target=(email or "").strip().lower() or None,
        details={"method": method, "reason": exc.code, "status": exc.status_code},
        request=request,
    )


async def _login_succeeded(
    session: SessionDep, request: Request, *, email: str, method: str
) -> None:
    await audit.record(
        session,
        actor=email,
        action="auth.login",
        target=email,
        details={"method": method},
        request=request,
    )


def _signed_in(settings: Settings, tokens: TokenSet, user: User) -> JSONResponse:
    """The reply to a sign-in or refresh: who is signed in, with fresh session cookies."""
    response = JSONResponse(SignInRead(email=user.email, role=user.role).model_dump())
    cookies.set_session(response, settings, tokens, user)
    return response


async def _credentials(request: Request) -> LoginCreate:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    try:
        if content_type == "application/json":
            data: Any = await request.json()
        elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            data = dict(await request.form())
        else:
            raise BadRequest("Send email and password as JSON or as a form.")
    except ValueError:
        raise BadRequest("body: not valid JSON") from None
    try:
        return LoginCreate.model_validate(data)
    except ValidationError as exc:
        raise Unprocessable(describe_validation_errors(exc.errors())) from None


def _local(provider: ProviderDep) -> LocalProvider:
    if not isinstance(provider, LocalProvider):
        raise NotFound("Built-in accounts are off (AUTH_PROVIDER=cognito): use /auth/login-url.")
    return provider


@router.post(
    "/auth/login",
    summary="Sign in with email and password (local provider)",
    dependencies=[PublicRoute],
    response_model=SignInRead,
    openapi_extra={"requestBody": _LOGIN_BODY},
    responses={
        401: {"description": "Wrong email or password"},
        429: {"description": "Too many failures"},
    },
)
async def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    provider: ProviderDep,
    limiter: LimiterDep,
) -> Response:
    local = _local(provider)
    credentials = await _credentials(request)
    try:
        user = await service.authenticate_password(
            session,
            limiter,
            email=credentials.email,
            password=credentials.password,
            ip=client_ip(request),
        )
        tokens = await local.issue_tokens(session, user)
        user = await service.admit(session, local, tokens)
    except AppError as exc:
        await _login_failed(session, request, exc, email=credentials.email, method="password")
        raise
    await _login_succeeded(session, request, email=user.email, method="password")
    return _signed_in(settings, tokens, user)


@router.get(
    "/auth/login-url",
    summary="Where to send the browser to sign in (hosted UI or built-in page)",
    dependencies=[PublicRoute],
    response_model=LoginUrlRead,
)
async def login_url(request: Request, settings: SettingsDep, provider: ProviderDep) -> Response:
    redirect = provider.login_redirect(base_url=str(request.base_url))
    response = JSONResponse(
        LoginUrlRead(url=redirect.url, state=redirect.state, provider=provider.name).model_dump()
    )
    cookies.set_flow(response, settings, redirect)
    return response


def _checked_redirect(settings: SettingsDep, redirect_uri: str, state: str) -> None:
    # Only the configured callback: anything else would make this page an open redirect.
    if redirect_uri != settings.auth.oauth_redirect_uri:
        raise BadRequest("redirect_uri: must be the configured OAUTH_REDIRECT_URI")
    if len(state) > MAX_STATE_LENGTH:
        raise BadRequest(f"state: at most {MAX_STATE_LENGTH} characters")


@router.get(
    "/auth/local/authorize",
    summary="The built-in sign-in page of the code flow (local provider)",
    dependencies=[PublicRoute],
    response_class=HTMLResponse,
)
@router.get(
    "/oauth2/authorize",
    summary="The same page at the hosted UI's path (local provider)",
    description="A front end written for the seed builds `{COGNITO_DOMAIN}/oauth2/authorize?"
    "client_id=…&response_type=code&redirect_uri=…`; with `COGNITO_DOMAIN` set to this server "
    "it gets the built-in page (`client_id`, `response_type` and `scope` are ignored).",
    dependencies=[PublicRoute],
    response_class=HTMLResponse,
)
async def authorize_page(
    settings: SettingsDep, provider: ProviderDep, redirect_uri: str, state: str = ""
) -> HTMLResponse:
    _local(provider)
    _checked_redirect(settings, redirect_uri, state)
    return HTMLResponse(
        sign_in_page(redirect_uri=redirect_uri, state=state), headers=page_headers(redirect_uri)
    )


@router.post(
    "/auth/local/authorize",
    summary="Sign in on the built-in page; redirects to OAUTH_REDIRECT_URI with a code",
    dependencies=[PublicRoute],
    response_class=HTMLResponse,
    responses={303: {"description": "Signed in: redirect with `code` and `state`"}},
)
async def authorize_submit(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    provider: ProviderDep,
    limiter: LimiterDep,
    email: Annotated[str, Form(max_length=320)],
    password: Annotated[str, Form(max_length=1024)],
    redirect_uri: Annotated[str, Form(max_length=2048)],
    state: Annotated[str, Form(max_length=MAX_STATE_LENGTH)] = "",
) -> Response:
    local = _local(provider)
    _checked_redirect(settings, redirect_uri, state)
    try:
        user = await service.authenticate_password(
            session, limiter, email=email, password=password, ip=client_ip(request)
        )
    except AppError as exc:
        await _login_failed(session, request, exc, email=email, method="password")
        page = sign_in_page(redirect_uri=redirect_uri, state=state, email=email, error=exc.detail)
        headers = {**page_headers(redirect_uri), **(exc.headers or {})}
        return HTMLResponse(page, status_code=exc.status_code, headers=headers)
    code = await local.create_code(session, user=user, redirect_uri=redirect_uri)
    separator = "&" if "?" in redirect_uri else "?"
    target = f"{redirect_uri}{separator}{urlencode({'code': code, 'state': state})}"
    return RedirectResponse(target, status_code=303, headers={"Cache-Control": "no-store"})


@router.post(
    "/auth/exchange",
    summary="Trade the sign-in code for session cookies",
    dependencies=[PublicRoute],
    response_model=SignInRead,
)
async def exchange(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    provider: ProviderDep,
    code: Annotated[str, Form(min_length=1, max_length=2048)],
    state: Annotated[str | None, Form(max_length=MAX_STATE_LENGTH)] = None,
) -> Response:
    flow = cookies.read_flow(request, settings)
    if state is not None and flow is not None and flow.get("state") != state:
        raise BadRequest("state: does not match the sign-in this browser started")
    verifier = flow.get("verifier") if flow else None
    tokens = None
    try:
        tokens = await provider.exchange_code(session, code=code, code_verifier=verifier)
        user = await service.admit(session, provider, tokens)
    except AppError as exc:
        email = tokens.claims.get("email") if tokens is not None else None
        await _login_failed(
            session, request, exc, email=email if isinstance(email, str) else None, method="code"
        )
        raise
    await _login_succeeded(session, request, email=user.email, method=f"code:{provider.name}")
    response = _signed_in(settings, tokens, user)
    cookies.clear_flow(response, settings)
    return response


@router.post(
    "/auth/refresh",
    summary="New session cookies from the refresh-token cookie",
    dependencies=[PublicRoute],
    response_model=SignInRead,
)
async def refresh(
    request: Request, session: SessionDep, settings: SettingsDep, provider: ProviderDep
) -> Response:
    presented = request.cookies.get(cookies.REFRESH_COOKIE)
    if not presented:
        raise Unauthorized("Sign in first: no refresh cookie.")
    try:
        tokens = await provider.refresh(session, presented)
    except RefreshTokenReused as exc:
        # Returned, not raised: the revocation of the whole chain must be committed.
        response: Response = JSONResponse(error_body(exc.code, exc.detail), status_code=401)
        cookies.clear_session(response, settings)
        return response
    user = await service.admit(session, provider, tokens)
    return _signed_in(settings, tokens, user)


@router.get("/auth/me", summary="The signed-in user", response_model=MeRead)
async def me(user: CurrentUser) -> MeRead:
    return MeRead(
        email=user.email,
        groups=list(user.groups),
        given_name=user.given_name,
        family_name=user.family_name,
        role=user.role,
        status="active",
    )


@router.post(
    "/auth/logout",
    summary="Sign out: revoke the refresh token and clear the cookies",
    dependencies=[PublicRoute],
    response_model=LogoutRead,
)
async def logout(
    request: Request, session: SessionDep, settings: SettingsDep, provider: ProviderDep
) -> Response:
    presented = request.cookies.get(cookies.REFRESH_COOKIE)
    if presented:
        await provider.revoke(session, presented)
    email = await _session_email(request, provider)
    if email is not None or presented:
        await audit.record(
            session,
            actor=email or "anonymous",
            action="auth.logout",
            target=email,
            request=request,
        )
    response = JSONResponse(
        LogoutRead(logout_url=provider.logout_url()).model_dump(exclude_none=True)
    )
    cookies.clear_session(response, settings)
    return response


async def _session_email(request: Request, provider: ProviderDep) -> str | None:
    """Whose session is ending, if the ID-token cookie still says so (it may have expired)."""
    token = request.cookies.get(cookies.ID_TOKEN_COOKIE)
    if not token:
        return None
    try:
        claims = await provider.verify_id_token(token)
    except AppError:
        return None
    email = claims.get("email")
    return email.strip().lower() if isinstance(email, str) else None


@router.get(
    "/.well-known/jwks.json",
    summary="Public keys of the local provider's tokens",
    dependencies=[PublicRoute],
)
async def jwks(provider: ProviderDep) -> Response:
    keys = provider.jwks()
    if keys is None:
        raise NotFound("Tokens come from Cognito here: use the user pool's JWKS.")
    return JSONResponse(keys, headers={"Cache-Control": "public, max-age=300"})
