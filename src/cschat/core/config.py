"""Settings: one validated object, grouped per domain, read from the seed's variable names.

Precedence, highest first: process environment > AWS Secrets Manager secret > `.env` > defaults.
The seed's variables are flat (`DB_HOST`, `COGNITO_CLIENT_ID`, ...), so each group is a pydantic
model whose field aliases are those names, filled from one merged mapping. That keeps the secret
overlay in a single place instead of a settings source per group.
"""

from __future__ import annotations

import json
import os
import re
import secrets
from collections.abc import Mapping
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values
from pydantic import BaseModel, ConfigDict, Field, SecretStr, ValidationError, field_validator
from sqlalchemy.engine import URL, make_url

SECRET_NAME_VAR = "AWS_SECRETS_MANAGER_SECRET_NAME"  # noqa: S105 (a variable name)
DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./data/cschat.db"
DEV_SECRET_KEY_FILE = Path("data/secret_key")
# Upper bound of lifetimes, windows and intervals: beyond it datetimes overflow.
TEN_YEARS = 10 * 365 * 86400


class ConfigError(Exception):
    """A setting is wrong or missing; the message is one line naming the variable."""


class _Group(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="ignore", frozen=True)


def _split_csv(value: Any) -> Any:
    if isinstance(value, str):
        return [item.strip() for item in value.split(",") if item.strip()]
    return value


class AppSettings(_Group):
    env: Literal["development", "test", "production"] = Field("development", alias="APP_ENV")
    timezone: str = Field("UTC", alias="APP_TIMEZONE")
    secret_key: SecretStr | None = Field(None, alias="SECRET_KEY")
    frontend_url: str = Field("http://localhost:3000", alias="FRONTEND_URL")
    cors_origins: list[str] = Field(
        default_factory=lambda: ["http://localhost:3000"], alias="CORS_ORIGINS"
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field("INFO", alias="LOG_LEVEL")
    redis_url: str | None = Field(None, alias="REDIS_URL")

    _split_origins = field_validator("cors_origins", mode="before")(_split_csv)

    @field_validator("cors_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        # A browser's Origin never ends in "/": "http://localhost:3000/" would never match.
        origins = [origin.removesuffix("/") for origin in value]
        for origin in origins:
            if origin != "*" and not re.fullmatch(r"https?://[^/?#\s]+", origin):
                raise ValueError(
                    f"{origin!r} is not an origin: scheme://host[:port] with no path, "
                    "e.g. http://localhost:3000"
                )
        return origins

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(
                f"unknown IANA time zone {value!r} (e.g. UTC, Europe/Madrid)"
            ) from None
        return value

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def is_production(self) -> bool:
        return self.env == "production"


class DatabaseSettings(_Group):
    url: str | None = Field(None, alias="DATABASE_URL")
    read_url: str | None = Field(None, alias="DATABASE_READ_URL")
    host: str | None = Field(None, alias="DB_HOST")
    port: int = Field(5432, alias="DB_PORT", ge=1, le=65535)
    name: str | None = Field(None, alias="DB_NAME")
    user: str | None = Field(None, alias="DB_USER")
    password: SecretStr | None = Field(None, alias="DB_PASSWORD")
    pool_size: int = Field(10, alias="DB_POOL_SIZE", ge=1)
    max_overflow: int = Field(10, alias="DB_MAX_OVERFLOW", ge=0)
    echo: bool = Field(False, alias="DB_ECHO")
    sql_max_rows: int = Field(10_000, alias="SQL_QUERY_MAX_ROWS", ge=1, le=1_000_000)
    sql_timeout_seconds: float = Field(5.0, alias="SQL_QUERY_TIMEOUT_SECONDS", gt=0, le=300)

    @field_validator("url", "read_url")
    @classmethod
    def _parseable(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            parsed = make_url(value)
        except Exception:
            raise ValueError("not a database URL (e.g. postgresql+psycopg://u:p@h/db)") from None
        if parsed.get_backend_name() not in ("sqlite", "postgresql"):
            raise ValueError("only sqlite and postgresql URLs are supported")
        return value

    def effective_url(self) -> URL:
        """DATABASE_URL wins; else the seed's DB_* variables; else local SQLite."""
        if self.url:
            url = make_url(self.url)
        elif self.host:
            url = URL.create(
                "postgresql+psycopg",
                username=self.user,
                password=self.password.get_secret_value() if self.password else None,
                host=self.host,
                port=self.port,
                database=self.name,
            )
        else:
            url = make_url(DEFAULT_DATABASE_URL)
        return _with_async_driver(url)

    def effective_read_url(self) -> URL | None:
        return _with_async_driver(make_url(self.read_url)) if self.read_url else None


def _with_async_driver(url: URL) -> URL:
    if url.drivername in ("sqlite", "sqlite+pysqlite"):
        return url.set(drivername="sqlite+aiosqlite")
    if url.drivername in ("postgresql", "postgres", "postgresql+psycopg2", "postgresql+asyncpg"):
        return url.set(drivername="postgresql+psycopg")
    return url


class AuthSettings(_Group):
    provider: Literal["local", "cognito"] = Field("local", alias="AUTH_PROVIDER")
    id_token_ttl_seconds: int = Field(3600, alias="ID_TOKEN_TTL_SECONDS", ge=60, le=TEN_YEARS)
    refresh_token_ttl_seconds: int = Field(
        30 * 86400, alias="REFRESH_TOKEN_TTL_SECONDS", ge=300, le=TEN_YEARS
    )
    cookie_domain: str | None = Field(None, alias="COOKIE_DOMAIN")
    cookie_secure: bool = Field(False, alias="COOKIE_SECURE")
    cookie_samesite: Literal["lax", "strict", "none"] = Field("lax", alias="COOKIE_SAMESITE")
    ui_hint_secret: SecretStr | None = Field(None, alias="UI_HINT_SECRET")
    oauth_redirect_uri: str = Field(
        "http://localhost:3000/login/callback", alias="OAUTH_REDIRECT_URI"
    )
    jwt_private_key: SecretStr | None = Field(None, alias="JWT_PRIVATE_KEY")
    login_max_failures_per_email: int = Field(5, alias="LOGIN_MAX_FAILURES_PER_EMAIL", ge=1)
    login_max_failures_per_ip: int = Field(20, alias="LOGIN_MAX_FAILURES_PER_IP", ge=1)
    login_failure_window_seconds: int = Field(
        900, alias="LOGIN_FAILURE_WINDOW_SECONDS", ge=1, le=TEN_YEARS
    )

    @field_validator("jwt_private_key", mode="before")
    @classmethod
    def _pem_newlines(cls, value: Any) -> Any:
        # A PEM in one environment line usually arrives with literal "\n" separators.
        return value.replace("\\n", "\n") if isinstance(value, str) else value

    @field_validator("cookie_samesite", mode="before")
    @classmethod
    def _lower(cls, value: Any) -> Any:
        return value.lower() if isinstance(value, str) else value

    @field_validator("cookie_domain", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if value == "" else value


class CognitoSettings(_Group):
    region: str | None = Field(None, alias="COGNITO_REGION")
    user_pool_id: str | None = Field(None, alias="COGNITO_USER_POOL_ID")
    client_id: str | None = Field(None, alias="COGNITO_CLIENT_ID")
    client_secret: SecretStr | None = Field(None, alias="COGNITO_CLIENT_SECRET")
    domain: str | None = Field(None, alias="COGNITO_DOMAIN")
    jwks_url: str | None = Field(None, alias="COGNITO_JWKS_URL")
    role_sync_interval_minutes: int = Field(
        0, alias="COGNITO_ROLE_SYNC_INTERVAL_MINUTES", ge=0, le=TEN_YEARS // 60
    )

    def effective_region(self, fallback: str) -> str:
        return self.region or fallback

    def issuer(self, fallback_region: str) -> str:
        """The `iss` Cognito puts in its tokens (moto issues the same)."""
        region = self.effective_region(fallback_region)
        return f"https://cognito-idp.{region}.amazonaws.com/{self.user_pool_id}"

    def domain_url(self) -> str:
        """COGNITO_DOMAIN as a base URL: a bare domain means https."""
        domain = (self.domain or "").rstrip("/")
        return domain if "://" in domain else f"https://{domain}"


class AwsSettings(_Group):
    region: str = Field("us-east-1", alias="AWS_REGION")
    secret_name: str | None = Field(None, alias=SECRET_NAME_VAR)


class AgentSettings(_Group):
    provider: Literal["local", "bedrock"] = Field("local", alias="AGENT_PROVIDER")
    bedrock_agent_id: str | None = Field(None, alias="BEDROCK_AGENT_ID")
    bedrock_agent_alias_id: str | None = Field(None, alias="BEDROCK_AGENT_ALIAS_ID")
    bedrock_agent_arn: str | None = Field(None, alias="BEDROCK_AGENT_ARN")
    bedrock_connect_timeout: float = Field(
        30, alias="BEDROCK_CONNECT_TIMEOUT", gt=0, allow_inf_nan=False
    )
    bedrock_read_timeout: float = Field(
        120, alias="BEDROCK_READ_TIMEOUT", gt=0, allow_inf_nan=False
    )
    # The whole answer, every round and tool call included: a stream that keeps sending events
    # more often than the read timeout would otherwise never end.
    bedrock_answer_timeout: float = Field(
        300, alias="BEDROCK_ANSWER_TIMEOUT", gt=0, le=TEN_YEARS, allow_inf_nan=False
    )
    bedrock_max_retries: int = Field(3, alias="BEDROCK_MAX_RETRIES", ge=0)
    bedrock_retry_delay: float = Field(2.0, alias="BEDROCK_RETRY_DELAY", ge=0, allow_inf_nan=False)
    bedrock_stream_final_response: bool = Field(True, alias="BEDROCK_STREAM_FINAL_RESPONSE")
    bedrock_enable_trace: bool = Field(True, alias="BEDROCK_ENABLE_TRACE")
    bedrock_max_concurrency: int = Field(64, alias="BEDROCK_MAX_CONCURRENCY", ge=1, le=4096)
    bedrock_trace_max_chars: int = Field(2000, alias="BEDROCK_TRACE_MAX_CHARS", ge=100)


class ChatSettings(_Group):
    rate_limit_per_minute: int = Field(30, alias="CHAT_RATE_LIMIT_PER_MINUTE", ge=1)
    max_message_chars: int = Field(2000, alias="CHAT_MAX_MESSAGE_CHARS", ge=1, le=100_000)
    history_turns: int = Field(10, alias="CHAT_HISTORY_TURNS", ge=0, le=100)
    synonyms_file: Path | None = Field(None, alias="AGENT_SYNONYMS_FILE")

    @field_validator("synonyms_file")
    @classmethod
    def _synonyms_readable(cls, value: Path | None) -> Path | None:
        if value is not None:
            load_synonyms(value)
        return value


def load_synonyms(path: Path) -> dict[str, dict[str, list[str]]]:
    """`{dimension: {stored value: [phrases]}}` from a JSON file; ValueError says what is wrong."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ValueError(f"cannot read {path} ({exc.strerror})") from None
    except ValueError as exc:
        raise ValueError(f"{path} is not valid JSON ({exc})") from None
    dimensions = ("category", "priority", "channel", "agent", "team")
    if not isinstance(data, dict) or not set(data) <= set(dimensions):
        raise ValueError(f"{path}: expected an object keyed by {', '.join(dimensions)}")
    for dimension, values in data.items():
        if not isinstance(values, dict) or not all(
            isinstance(v, list) and all(isinstance(p, str) for p in v) for v in values.values()
        ):
            raise ValueError(f"{path}: {dimension} must map each value to a list of phrases")
    return data


class EmailSettings(_Group):
    backend: Literal["console", "smtp"] = Field("console", alias="EMAIL_BACKEND")
    smtp_host: str = Field("localhost", alias="SMTP_HOST")
    smtp_port: int = Field(25, alias="SMTP_PORT", ge=1, le=65535)
    smtp_user: str | None = Field(None, alias="SMTP_USER")
    smtp_password: SecretStr | None = Field(None, alias="SMTP_PASSWORD")
    smtp_starttls: bool = Field(False, alias="SMTP_STARTTLS")
    email_from: str = Field("cschat <no-reply@localhost>", alias="EMAIL_FROM")
    default_language: Literal["es", "en"] = Field("es", alias="EMAIL_DEFAULT_LANGUAGE")
    invitation_ttl_hours: int = Field(168, alias="INVITATION_TTL_HOURS", ge=1, le=24 * 90)


class IngestSettings(_Group):
    api_key: SecretStr | None = Field(None, alias="INGEST_API_KEY")
    max_body_bytes: int = Field(100 * 1024 * 1024, alias="INGEST_MAX_BODY_BYTES", gt=0)
    batch_rows: int = Field(10_000, alias="INGEST_BATCH_ROWS", gt=0)


class HubSpotSettings(_Group):
    token: SecretStr | None = Field(None, alias="HUBSPOT_TOKEN")
    base_url: str = Field("https://api.hubapi.com", alias="HUBSPOT_BASE_URL")
    api_prefix: str = Field("/crm/v3", alias="HUBSPOT_API_PREFIX")
    sync_interval_minutes: int = Field(
        0, alias="HUBSPOT_SYNC_INTERVAL_MINUTES", ge=0, le=TEN_YEARS // 60
    )
    # HubSpot's published limits; 0 turns a client-side throttle off (a fake, a raised limit).
    requests_per_10s: int = Field(100, alias="HUBSPOT_REQUESTS_PER_10S", ge=0)
    search_per_second: int = Field(4, alias="HUBSPOT_SEARCH_PER_SECOND", ge=0)
    max_retries: int = Field(6, alias="HUBSPOT_MAX_RETRIES", ge=0)
    timeout_seconds: float = Field(30.0, alias="HUBSPOT_TIMEOUT_SECONDS", gt=0, allow_inf_nan=False)
    lag_seconds: int = Field(120, alias="HUBSPOT_LAG_SECONDS", ge=0, le=TEN_YEARS)
    # Multiplies every wait (throttle windows, backoffs, Retry-After): tests and demos only.
    time_scale: float = Field(1.0, alias="HUBSPOT_TIME_SCALE", gt=0, le=1)
    extra_properties: list[str] = Field(default_factory=list, alias="HUBSPOT_EXTRA_PROPERTIES")

    _split_properties = field_validator("extra_properties", mode="before")(_split_csv)

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL such as https://api.hubapi.com")
        return value.rstrip("/")

    @field_validator("api_prefix")
    @classmethod
    def _known_prefix(cls, value: str) -> str:
        if value.strip("/") == "crm/v3" or re.search(r"(^|/)\d{4}-\d{2}$", value.rstrip("/")):
            return value
        raise ValueError(
            "expected /crm/v3 or a dated version such as 2026-03 or /crm/objects/2026-03"
        )


_GROUPS: dict[str, type[_Group]] = {
    "app": AppSettings,
    "db": DatabaseSettings,
    "auth": AuthSettings,
    "cognito": CognitoSettings,
    "aws": AwsSettings,
    "agent": AgentSettings,
    "chat": ChatSettings,
    "email": EmailSettings,
    "ingest": IngestSettings,
    "hubspot": HubSpotSettings,
}


# Every SecretStr setting: a bad value of one is named, never shown.
_SECRET_VARIABLES = frozenset(
    field.alias or name
    for group in _GROUPS.values()
    for name, field in group.model_fields.items()
    if SecretStr in (field.annotation, *getattr(field.annotation, "__args__", ()))
)


class Settings(BaseModel):
    model_config = ConfigDict(frozen=True)

    app: AppSettings
    db: DatabaseSettings
    auth: AuthSettings
    cognito: CognitoSettings
    aws: AwsSettings
    agent: AgentSettings
    chat: ChatSettings
    email: EmailSettings
    ingest: IngestSettings
    hubspot: HubSpotSettings

    @cached_property
    def signing_secret(self) -> str:
        """Key for the local provider's tokens and the `ui_hint` cookie."""
        if self.app.secret_key is not None:
            return self.app.secret_key.get_secret_value()
        return _dev_secret_key()

    def summary(self) -> dict[str, dict[str, Any]]:
        """Every setting by group, secrets masked, for `cschat check`."""
        out: dict[str, dict[str, Any]] = {}
        for group_name in _GROUPS:
            group: _Group = getattr(self, group_name)
            values: dict[str, Any] = {}
            for name, field in type(group).model_fields.items():
                value = getattr(group, name)
                if isinstance(value, SecretStr):
                    value = "********"
                elif name in ("url", "read_url") and value:
                    value = make_url(value).render_as_string(hide_password=True)
                elif isinstance(value, str):
                    # REDIS_URL and the like may carry a password too.
                    value = _URL_CREDENTIALS.sub("://***@", value)
                values[field.alias or name] = value
            out[group_name] = values
        return out


def _dev_secret_key() -> str:
    """Generated once and kept in ./data so dev sign-ins survive restarts."""
    if DEV_SECRET_KEY_FILE.exists():
        return DEV_SECRET_KEY_FILE.read_text().strip()
    DEV_SECRET_KEY_FILE.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    DEV_SECRET_KEY_FILE.write_text(key)
    DEV_SECRET_KEY_FILE.chmod(0o600)
    return key


def fetch_secret(name: str, region: str | None) -> dict[str, str]:
    """Read a JSON secret whose keys are our variable names from AWS Secrets Manager."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    from cschat.core.logging import quiet_third_party_loggers

    # Settings are read before logging is configured (and the Lambda handler never configures
    # it): botocore must not log this response's body, the secret itself, at a host's DEBUG.
    quiet_third_party_loggers()
    try:
        client = boto3.client("secretsmanager", region_name=region or "us-east-1")
        raw = client.get_secret_value(SecretId=name)["SecretString"]
    except (BotoCoreError, ClientError) as exc:
        raise ConfigError(
            f"{SECRET_NAME_VAR}: cannot read secret {name!r} ({type(exc).__name__})"
        ) from None
    try:
        data = json.loads(raw)
    except ValueError:
        raise ConfigError(f"{SECRET_NAME_VAR}: secret {name!r} is not a JSON object") from None
    if not isinstance(data, dict):
        raise ConfigError(f"{SECRET_NAME_VAR}: secret {name!r} is not a JSON object")
    return {str(k).upper(): "" if v is None else str(v) for k, v in data.items()}


def _sources(
    environ: Mapping[str, str] | None, env_file: str | Path | None
) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
    """`.env`, the secret and the environment, each upper-cased."""
    env = {k.upper(): v for k, v in (os.environ if environ is None else environ).items()}
    dotenv: dict[str, str] = {}
    if env_file and Path(env_file).is_file():
        try:
            dotenv = {k.upper(): v or "" for k, v in dotenv_values(env_file).items()}
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"{env_file}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at {exc.start})"
            ) from None
        except OSError as exc:
            raise ConfigError(f"{env_file}: cannot read it ({exc.strerror})") from None
    first = {**dotenv, **env}
    if environ is None:
        _export_for_boto(dotenv, env)
    secret: dict[str, str] = {}
    if first.get(SECRET_NAME_VAR, "").strip():
        secret = fetch_secret(first[SECRET_NAME_VAR], first.get("AWS_REGION"))
        if environ is None:
            _export_for_boto(secret, env, replace=True)
    return dotenv, secret, env


# boto3 reads its credentials, profile and endpoints from the process environment only.
_BOTO_VARIABLES = frozenset(
    (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_SESSION_TOKEN",
        "AWS_PROFILE",
        "AWS_DEFAULT_REGION",
        "AWS_CONFIG_FILE",
        "AWS_SHARED_CREDENTIALS_FILE",
        "AWS_CA_BUNDLE",
    )
)


def _export_for_boto(
    values: Mapping[str, str], env: Mapping[str, str], *, replace: bool = False
) -> None:
    """Put boto's own variables from `.env` or the secret into the process environment, where
    boto3 looks (the seed's local set-up keeps AWS keys in `.env`). The process environment
    still wins; `replace` lets the secret's values beat `.env`'s."""
    for name, value in values.items():
        if name in env or not value.strip():
            continue
        if name in _BOTO_VARIABLES or name.startswith("AWS_ENDPOINT_URL"):
            if replace:
                os.environ[name] = value
            else:
                os.environ.setdefault(name, value)


def merged_environment(
    environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
) -> dict[str, str]:
    """Merge defaults' sources: process environment > secret > `.env`."""
    dotenv, secret, env = _sources(environ, env_file)
    return {**dotenv, **secret, **env}


# `scheme://user:password@` up to the last `@`, so a password with an `@` in it is hidden too.
_URL_CREDENTIALS = re.compile(r"://\S*@")


def _shown(variable: str, value: str | None, secret_keys: set[str]) -> str:
    """` (got '...')` for a message, unless the value is secret; passwords in URLs masked."""
    hidden = variable in secret_keys or variable in _SECRET_VARIABLES or "SECRET" in variable
    if value is None or hidden:
        return ""
    masked = _URL_CREDENTIALS.sub("://***@", value)
    return f" (got {masked!r})"


def load_settings(
    environ: Mapping[str, str] | None = None, env_file: str | Path | None = ".env"
) -> Settings:
    """Build and validate the settings; a bad value raises ConfigError naming the variable."""
    dotenv, secret, env = _sources(environ, env_file)
    # Blank and whitespace-only values count as unset.
    merged = {**dotenv, **secret, **env}
    values = {k: v for k, v in merged.items() if v.strip() != ""}
    # Values that came from the Secrets Manager secret are secrets, whatever their name.
    secret_keys = set(secret) - set(env)
    groups: dict[str, _Group] = {}
    for name, model in _GROUPS.items():
        try:
            groups[name] = model.model_validate(values)
        except ValidationError as exc:
            err = exc.errors()[0]
            variable = str(err["loc"][0]) if err["loc"] else name
            got = _shown(variable, values.get(variable), secret_keys)
            raise ConfigError(f"{variable}: {err['msg']}{got}") from None
    settings = Settings.model_validate(groups)
    _check_production(settings)
    _check_auth_provider(settings)
    return settings


def _check_auth_provider(settings: Settings) -> None:
    if settings.auth.provider == "cognito":
        cognito = settings.cognito
        for variable, value in (
            ("COGNITO_USER_POOL_ID", cognito.user_pool_id),
            ("COGNITO_CLIENT_ID", cognito.client_id),
            ("COGNITO_DOMAIN", cognito.domain),
        ):
            if not value:
                raise ConfigError(f"{variable}: required when AUTH_PROVIDER=cognito")
    elif settings.app.is_production and settings.auth.jwt_private_key is None:
        raise ConfigError(
            "JWT_PRIVATE_KEY: required (an RSA private key in PEM) when APP_ENV=production "
            "and AUTH_PROVIDER=local"
        )


def _check_production(settings: Settings) -> None:
    if not settings.app.is_production:
        return
    if settings.app.secret_key is None:
        raise ConfigError("SECRET_KEY: required when APP_ENV=production")
    if len(settings.app.secret_key.get_secret_value()) < 32:
        raise ConfigError("SECRET_KEY: must be at least 32 characters when APP_ENV=production")
    if not settings.auth.cookie_secure:
        raise ConfigError("COOKIE_SECURE: must be true when APP_ENV=production")
    if "*" in settings.app.cors_origins:
        raise ConfigError("CORS_ORIGINS: '*' is not allowed with credentials in production")
    if settings.auth.cookie_samesite == "none" and not settings.auth.cookie_secure:
        raise ConfigError("COOKIE_SAMESITE: 'none' requires COOKIE_SECURE=true")
