import json
from collections.abc import Iterator
from pathlib import Path

import boto3
import pytest

from cschat.core.config import ConfigError, load_settings
from tests.fakes.aws import moto_server


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    with moto_server() as endpoint:
        yield endpoint


@pytest.fixture
def aws_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv("AWS_ENDPOINT_URL_SECRETS_MANAGER", moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    return moto_endpoint


def put_secret(endpoint: str, name: str, value: object) -> None:
    client = boto3.client("secretsmanager", region_name="us-east-1", endpoint_url=endpoint)
    client.create_secret(Name=name, SecretString=json.dumps(value))


def test_defaults_need_nothing() -> None:
    settings = load_settings({}, env_file=None)
    assert settings.db.effective_url().render_as_string() == "sqlite+aiosqlite:///./data/cschat.db"
    assert settings.auth.provider == "local"
    assert settings.agent.provider == "local"
    assert settings.app.timezone == "UTC"
    assert settings.auth.id_token_ttl_seconds == 3600
    assert settings.hubspot.api_prefix == "/crm/v3"


def test_seed_db_variables_build_a_postgres_url() -> None:
    settings = load_settings(
        {
            "DB_HOST": "db.example",
            "DB_PORT": "6543",
            "DB_NAME": "cs",
            "DB_USER": "u",
            "DB_PASSWORD": "p@ss",
        },
        env_file=None,
    )
    url = settings.db.effective_url()
    assert url.drivername == "postgresql+psycopg"
    assert (url.host, url.port, url.database, url.username, url.password) == (
        "db.example",
        6543,
        "cs",
        "u",
        "p@ss",
    )


def test_database_url_wins_over_db_variables() -> None:
    settings = load_settings(
        {"DATABASE_URL": "postgresql://a@h/x", "DB_HOST": "other"}, env_file=None
    )
    assert settings.db.effective_url().render_as_string() == "postgresql+psycopg://a@h/x"


def test_cors_origins_are_comma_separated() -> None:
    settings = load_settings({"CORS_ORIGINS": "http://a:3000, http://b:3001/"}, env_file=None)
    # A pasted trailing "/" is dropped: a browser's Origin never has one.
    assert settings.app.cors_origins == ["http://a:3000", "http://b:3001"]


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"DB_PORT": "abc"}, "DB_PORT"),
        ({"APP_TIMEZONE": "Mars/Olympus"}, "APP_TIMEZONE"),
        ({"AUTH_PROVIDER": "ldap"}, "AUTH_PROVIDER"),
        ({"COOKIE_SECURE": "maybe"}, "COOKIE_SECURE"),
        ({"BEDROCK_READ_TIMEOUT": "-1"}, "BEDROCK_READ_TIMEOUT"),
        ({"DATABASE_URL": "mysql://x/y"}, "DATABASE_URL"),
    ],
)
def test_bad_value_fails_with_one_line_naming_the_variable(
    environ: dict[str, str], variable: str
) -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(environ, env_file=None)
    message = str(info.value)
    assert message.startswith(f"{variable}: ")
    assert "\n" not in message


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"COOKIE_SECURE": "true"}, "SECRET_KEY"),
        ({"SECRET_KEY": "short", "COOKIE_SECURE": "true"}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 40}, "COOKIE_SECURE"),
        ({"SECRET_KEY": "x" * 40, "COOKIE_SECURE": "true", "CORS_ORIGINS": "*"}, "CORS_ORIGINS"),
        ({"SECRET_KEY": "x" * 40, "COOKIE_SECURE": "true"}, "JWT_PRIVATE_KEY"),
    ],
)
def test_production_refuses_insecure_defaults(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=f"^{variable}: "):
        load_settings({"APP_ENV": "production", **environ}, env_file=None)


def test_production_with_secure_values_loads(jwt_private_key: str) -> None:
    settings = load_settings(
        {
            "APP_ENV": "production",
            "SECRET_KEY": "x" * 40,
            "COOKIE_SECURE": "true",
            # One environment line with literal \n separators, as secret stores often hold it.
            "JWT_PRIVATE_KEY": jwt_private_key.replace("\n", "\\n"),
        },
        env_file=None,
    )
    assert settings.app.is_production
    assert settings.auth.jwt_private_key is not None
    assert settings.auth.jwt_private_key.get_secret_value() == jwt_private_key


@pytest.mark.parametrize("missing", ["COGNITO_USER_POOL_ID", "COGNITO_CLIENT_ID", "COGNITO_DOMAIN"])
def test_cognito_provider_needs_its_settings(missing: str) -> None:
    environ = {
        "AUTH_PROVIDER": "cognito",
        "COGNITO_USER_POOL_ID": "us-east-1_abc",
        "COGNITO_CLIENT_ID": "client",
        "COGNITO_DOMAIN": "x.auth.us-east-1.amazoncognito.com",
    }
    del environ[missing]
    with pytest.raises(ConfigError, match=f"^{missing}: required when AUTH_PROVIDER=cognito"):
        load_settings(environ, env_file=None)


@pytest.mark.parametrize(
    ("domain", "expected"),
    [
        ("x.auth.us-east-1.amazoncognito.com", "https://x.auth.us-east-1.amazoncognito.com"),
        ("http://127.0.0.1:9000/", "http://127.0.0.1:9000"),
    ],
)
def test_cognito_domain_may_be_bare_or_a_url(domain: str, expected: str) -> None:
    settings = load_settings(
        {
            "COGNITO_DOMAIN": domain,
            "COGNITO_REGION": "eu-west-1",
            "COGNITO_USER_POOL_ID": "eu-west-1_p",
        },
        env_file=None,
    )
    assert settings.cognito.domain_url() == expected
    assert settings.cognito.issuer("us-east-1") == (
        "https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_p"
    )


def test_dotenv_is_read_below_the_environment(tmp_path: Path) -> None:
    env_file = tmp_path / ".env"
    env_file.write_text("APP_TIMEZONE=Europe/Madrid\nFRONTEND_URL=http://dotenv\n")
    settings = load_settings({"FRONTEND_URL": "http://process"}, env_file=env_file)
    assert settings.app.timezone == "Europe/Madrid"
    assert settings.app.frontend_url == "http://process"


def test_secret_overlay_precedence(aws_env: str, tmp_path: Path) -> None:
    put_secret(
        aws_env,
        "cschat/precedence",
        {
            "FRONTEND_URL": "http://secret",
            "APP_TIMEZONE": "America/Bogota",
            "COGNITO_CLIENT_ID": "from-secret",
            "INGEST_API_KEY": "k-secret",
        },
    )
    env_file = tmp_path / ".env"
    env_file.write_text(
        "AWS_SECRETS_MANAGER_SECRET_NAME=cschat/precedence\n"
        "APP_TIMEZONE=Europe/Madrid\nHUBSPOT_BASE_URL=http://dotenv\nCOGNITO_CLIENT_ID=from-dotenv\n"
    )
    settings = load_settings({"FRONTEND_URL": "http://process"}, env_file=env_file)
    assert settings.app.frontend_url == "http://process"  # environment beats secret
    assert settings.app.timezone == "America/Bogota"  # secret beats .env
    assert settings.cognito.client_id == "from-secret"
    assert settings.hubspot.base_url == "http://dotenv"  # .env beats default
    assert settings.ingest.api_key is not None
    assert settings.ingest.api_key.get_secret_value() == "k-secret"
    assert settings.db.port == 5432  # default


def test_missing_secret_names_the_variable(aws_env: str) -> None:
    with pytest.raises(ConfigError, match=r"^AWS_SECRETS_MANAGER_SECRET_NAME: cannot read"):
        load_settings({"AWS_SECRETS_MANAGER_SECRET_NAME": "does/not/exist"}, env_file=None)


def test_secret_that_is_not_json_is_refused(aws_env: str) -> None:
    client = boto3.client("secretsmanager", region_name="us-east-1", endpoint_url=aws_env)
    client.create_secret(Name="cschat/plain", SecretString="not json")
    with pytest.raises(ConfigError, match="not a JSON object"):
        load_settings({"AWS_SECRETS_MANAGER_SECRET_NAME": "cschat/plain"}, env_file=None)


def test_summary_masks_secrets() -> None:
    settings = load_settings(
        {
            "DB_PASSWORD": "hunter2",
            "COGNITO_CLIENT_SECRET": "cs-secret",
            "DATABASE_URL": "postgresql://u:pw-in-url@h/x",
            "INGEST_API_KEY": "ik",
        },
        env_file=None,
    )
    text = json.dumps(settings.summary(), default=str)
    for secret in ("hunter2", "cs-secret", "pw-in-url", '"ik"'):
        assert secret not in text
    assert "********" in text


def test_summary_masks_passwords_in_every_url() -> None:
    # `cschat check` printed REDIS_URL's password (`redis://:pw@host`, as managed Redis gives it).
    settings = load_settings(
        {
            "REDIS_URL": "rediss://default:redis-pw-s3cret@cache.internal:6380/0",
            "HUBSPOT_BASE_URL": "https://u:hub-pw-s3cret@proxy.internal",
        },
        env_file=None,
    )
    text = json.dumps(settings.summary(), default=str)
    assert "s3cret" not in text
    assert settings.summary()["app"]["REDIS_URL"] == "rediss://***@cache.internal:6380/0"


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"DATABASE_URL": "mysql://u:pw-s3cret@h/x"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://u:pw-s3cret@h:port/x"}, "DATABASE_URL"),
        ({"DATABASE_URL": "postgresql://u:pw@-s3cret@h:port/x"}, "DATABASE_URL"),
        ({"DATABASE_READ_URL": "oracle://u:pw-s3cret@h/x"}, "DATABASE_READ_URL"),
        ({"HUBSPOT_BASE_URL": "ftp://u:pw-s3cret@h"}, "HUBSPOT_BASE_URL"),
    ],
)
def test_a_bad_url_is_named_without_its_password(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=f"^{variable}: ") as info:
        load_settings(environ, env_file=None)
    assert "s3cret" not in str(info.value)


def test_a_bad_value_from_the_secret_is_named_not_shown(aws_env: str) -> None:
    put_secret(aws_env, "cschat/bad-port", {"DB_PORT": "port-s3cret"})
    with pytest.raises(ConfigError, match=r"^DB_PORT: ") as info:
        load_settings({"AWS_SECRETS_MANAGER_SECRET_NAME": "cschat/bad-port"}, env_file=None)
    assert "s3cret" not in str(info.value)


@pytest.mark.parametrize(
    "content",
    [b"APP_TIMEZONE=caf\xe9\n", "APP_TIMEZONE=UTC\n".encode("utf-16")],
    ids=["latin-1", "utf-16"],
)
def test_a_dotenv_that_is_not_utf8_is_one_line(tmp_path: Path, content: bytes) -> None:
    env_file = tmp_path / ".env"
    env_file.write_bytes(content)
    with pytest.raises(ConfigError, match=r"\.env: not UTF-8 text") as info:
        load_settings({}, env_file=env_file)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"BEDROCK_RETRY_DELAY": "inf"}, "BEDROCK_RETRY_DELAY"),
        ({"BEDROCK_READ_TIMEOUT": "1e309"}, "BEDROCK_READ_TIMEOUT"),
        ({"HUBSPOT_TIMEOUT_SECONDS": "inf"}, "HUBSPOT_TIMEOUT_SECONDS"),
        ({"ID_TOKEN_TTL_SECONDS": "9" * 20}, "ID_TOKEN_TTL_SECONDS"),
        ({"REFRESH_TOKEN_TTL_SECONDS": "9" * 20}, "REFRESH_TOKEN_TTL_SECONDS"),
        ({"HUBSPOT_SYNC_INTERVAL_MINUTES": "9" * 20}, "HUBSPOT_SYNC_INTERVAL_MINUTES"),
        ({"CORS_ORIGINS": "localhost:3000"}, "CORS_ORIGINS"),
        ({"CORS_ORIGINS": "http://a:3000, http://b:3001/app"}, "CORS_ORIGINS"),
    ],
)
def test_infinite_huge_and_malformed_values_are_refused(
    environ: dict[str, str], variable: str
) -> None:
    with pytest.raises(ConfigError, match=f"^{variable}: "):
        load_settings(environ, env_file=None)


@pytest.mark.parametrize(
    ("environ", "variable"),
    [
        ({"APP_ENV": "production", "SECRET_KEY": " " * 40, "COOKIE_SECURE": "true"}, "SECRET_KEY"),
        (
            {
                "AUTH_PROVIDER": "cognito",
                "COGNITO_USER_POOL_ID": "p",
                "COGNITO_CLIENT_ID": "c",
                "COGNITO_DOMAIN": " \t",
            },
            "COGNITO_DOMAIN",
        ),
    ],
)
def test_whitespace_only_values_count_as_unset(environ: dict[str, str], variable: str) -> None:
    with pytest.raises(ConfigError, match=f"^{variable}: required"):
        load_settings(environ, env_file=None)


def test_app_factory_with_a_bad_setting_exits_with_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cschat.main import create_app

    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("DATABASE_URL", "mysql://u:pw-s3cret@h/x")
    with pytest.raises(SystemExit) as info:
        create_app()
    message = str(info.value.code)
    assert message.startswith("Configuration error DATABASE_URL: ")
    assert "s3cret" not in message and "\n" not in message


def test_aws_variables_in_dotenv_reach_boto(
    moto_endpoint: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The seed's local set-up keeps the AWS keys in `.env`; boto3 reads only the environment.
    put_secret(moto_endpoint, "cschat/from-dotenv-keys", {"APP_TIMEZONE": "Asia/Tokyo"})
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_SECRETS_MANAGER"):  # fmt: skip
        monkeypatch.setenv(name, "x")  # so that monkeypatch puts back what was there
        monkeypatch.delenv(name)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    env_file = tmp_path / ".env"
    env_file.write_text(
        "AWS_SECRETS_MANAGER_SECRET_NAME=cschat/from-dotenv-keys\nAWS_REGION=us-east-1\n"
        f"AWS_ENDPOINT_URL_SECRETS_MANAGER={moto_endpoint}\n"
        "AWS_ACCESS_KEY_ID=dotenv-key\nAWS_SECRET_ACCESS_KEY=dotenv-secret\n"
    )
    settings = load_settings(env_file=env_file)
    assert settings.app.timezone == "Asia/Tokyo"  # the secret was read with `.env`'s keys
    credentials = boto3.session.Session().get_credentials()
    assert credentials is not None and credentials.access_key == "dotenv-key"


def test_the_process_environment_keeps_its_aws_keys(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "process-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "process-secret")
    env_file = tmp_path / ".env"
    env_file.write_text("AWS_ACCESS_KEY_ID=dotenv-key\nAWS_SECRET_ACCESS_KEY=dotenv-secret\n")
    load_settings(env_file=env_file)
    credentials = boto3.session.Session().get_credentials()
    assert credentials is not None and credentials.access_key == "process-key"
