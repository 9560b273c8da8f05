"""A sync at LOG_LEVEL=DEBUG, with the process's stdlib logging routed too, never logs the token."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from cschat.core.config import Settings
from cschat.core.logging import configure_logging
from tests.integrations.hubspot.conftest import FakeFactory, sync_once
from tests.support.host_logging import routed_at_debug

TOKEN = "pat-na1-0b5e7c1e-4d2a-4f6b-9c3d-logtest"


@pytest.fixture
def restore_logging() -> Iterator[None]:
    yield
    configure_logging(json=False)


async def test_sync_logs_never_show_the_token(
    fake_hubspot: FakeFactory,
    hubspot_settings: Callable[..., Settings],
    restore_logging: None,
    capsys: pytest.CaptureFixture[str],
) -> None:
    fake, url = fake_hubspot(tickets=30)
    fake.token = TOKEN
    settings = hubspot_settings(url, HUBSPOT_TOKEN=TOKEN)
    with routed_at_debug() as host:
        configure_logging(json=True, level="DEBUG")
        fake.fail_next(2, "500")  # retried: logged with the path
        assert (await sync_once(settings, full=True)).status == "succeeded"
        fake.token = "pat-na1-rotated"  # HubSpot now refuses ours
        assert (await sync_once(settings)).status == "unauthorized"
    logged = host.getvalue() + capsys.readouterr().err
    assert "hubspot.retry" in logged and "hubspot.sync_finished" in logged
    assert TOKEN not in logged and "Bearer" not in logged
