"""The session's Cognito pool and an app signed in through it, for the sign-in tests."""

from tests.auth.conftest import cognito_app, cognito_pool  # noqa: F401 (fixtures used here)
