from collections.abc import Callable

import httpx
import pytest

from cschat.core.config import Settings
from cschat.integrations.hubspot.client import (
    HubSpotClient,
    HubSpotDailyLimit,
    HubSpotError,
    RollingWindow,
    api_paths,
)
from tests.integrations.hubspot.conftest import FakeFactory


class ManualClock:
    """A clock that only moves when the code under test sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def test_both_api_layouts() -> None:
    classic = api_paths("/crm/v3")
    assert (classic.tickets, classic.pipelines, classic.owners) == (
        "/crm/v3/objects/tickets",
        "/crm/v3/pipelines/tickets",
        "/crm/v3/owners",
    )
    for prefix in ("2026-03", "/crm/objects/2026-03", "/crm/objects/2026-03/"):
        dated = api_paths(prefix)
        assert (dated.tickets, dated.pipelines, dated.owners) == (
            "/crm/objects/2026-03/tickets",
            "/crm/pipelines/2026-03/tickets",
            "/crm/owners/2026-03",
        )


@pytest.mark.parametrize("prefix", ["/crm/v4", "latest", "/crm/objects/26-03"])
def test_unknown_prefixes_are_refused_at_start_up(
    make_settings: Callable[..., Settings], prefix: str
) -> None:
    from cschat.core.config import ConfigError

    with pytest.raises(ConfigError, match="HUBSPOT_API_PREFIX"):
        make_settings(HUBSPOT_API_PREFIX=prefix)


async def test_rolling_window_spaces_requests_to_the_limit() -> None:
    clock = ManualClock()
    window = RollingWindow(4, 1.0, clock=clock, sleep=clock.sleep)
    times = []
    for _ in range(10):
        await window.acquire()
        times.append(clock.now)
    # Four at once, then each next four a (slightly padded) second later.
    assert times[:4] == [0.0] * 4
    assert 1.0 <= times[4] < 1.05
    assert times[4] == times[7]
    assert 2.0 <= times[8] < 2.1
    unlimited = RollingWindow(0, 1.0, clock=clock, sleep=clock.sleep)
    before = len(clock.sleeps)
    for _ in range(100):
        await unlimited.acquire()
    assert len(clock.sleeps) == before


async def test_waits_follow_hubspots_rules(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(300)
    settings = hubspot_settings(url, HUBSPOT_TIME_SCALE="1")
    clock = ManualClock()
    client = HubSpotClient(settings.hubspot, sleep=clock.sleep, clock=clock, jitter=lambda: 0.5)
    async with client:
        fake.fail_next(2, "ten_secondly")
        await client.pipelines()
        assert clock.sleeps == [10.0, 20.0]  # about 10 s x attempt

        clock.sleeps.clear()
        fake.fail_next(2, "secondly")
        body = {"filterGroups": [], "sorts": [], "properties": [], "limit": 10, "after": "0"}
        page = await client.search_tickets(body)
        assert page["total"] == 300
        assert [s for s in clock.sleeps if s >= 0.9] == [1.0, 2.0]  # the search API's 1 s

        clock.sleeps.clear()
        fake.fail_next(3, "503")
        await client.owners(archived=True)
        assert clock.sleeps == [0.5, 1.0, 2.0]  # short exponential backoff (jitter pinned)

        fake.fail_next(1, "daily")
        with pytest.raises(HubSpotDailyLimit, match="daily"):
            await client.pipelines()
    assert client.stats.retries == 7


async def test_retry_after_wins_when_present(hubspot_settings: Callable[..., Settings]) -> None:
    calls = 0

    def handler(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        if calls == 1:
            return httpx.Response(
                429,
                headers={"Retry-After": "3"},
                json={"status": "error", "policyName": "TEN_SECONDLY_ROLLING", "message": "slow"},
            )
        if calls == 2:
            return httpx.Response(400, json={"status": "error", "message": "bad filter"})
        return httpx.Response(200, json={"results": []})

    settings = hubspot_settings("http://hubspot.test", HUBSPOT_TIME_SCALE="1")
    clock = ManualClock()
    client = HubSpotClient(
        settings.hubspot, sleep=clock.sleep, clock=clock, transport=httpx.MockTransport(handler)
    )
    async with client:
        with pytest.raises(HubSpotError, match="400: bad filter"):
            await client.pipelines()
        assert await client.pipelines() == []
    assert clock.sleeps == [3.0]


async def test_fake_enforces_limits_and_the_client_stays_under_them(
    fake_hubspot: FakeFactory, hubspot_settings: Callable[..., Settings]
) -> None:
    fake, url = fake_hubspot(50)
    scale = "0.1"  # windows of 1 s (10 s) and 0.1 s (1 s)
    fake.enforce_limits(per_10s=5, search_per_second=2, scale=float(scale))
    # Without a client throttle the fake's limits answer 429s...
    loose = hubspot_settings(
        url, HUBSPOT_REQUESTS_PER_10S="0", HUBSPOT_SEARCH_PER_SECOND="0", HUBSPOT_TIME_SCALE=scale
    )
    async with HubSpotClient(loose.hubspot) as client:
        for _ in range(8):
            await client.pipelines()
    assert fake.rate_limited >= 1
    # ...with one matching them, none (one at most when a loaded machine delays an arrival).
    fake.enforce_limits(per_10s=5, search_per_second=2, scale=float(scale))
    fake.rate_limited = 0
    tight = hubspot_settings(
        url, HUBSPOT_REQUESTS_PER_10S="5", HUBSPOT_SEARCH_PER_SECOND="2", HUBSPOT_TIME_SCALE=scale
    )
    body = {"filterGroups": [], "sorts": [], "properties": [], "limit": 10, "after": "0"}
    async with HubSpotClient(tight.hubspot) as client:
        for _ in range(6):
            await client.pipelines()
            await client.search_tickets(body)
        assert client.stats.waited_seconds >= 0.2  # it did hold back
    assert fake.rate_limited <= 1


async def test_the_fakes_demo_controls_edit_tickets_over_http(fake_hubspot: FakeFactory) -> None:
    fake, url = fake_hubspot(30)
    async with httpx.AsyncClient(base_url=url) as http:
        changed = (await http.post("/_fake/change", params={"n": 4})).json()["ids"]
        assert (await http.post("/_fake/fail", params={"kind": "503", "n": 2})).status_code == 200
        assert (await http.post("/_fake/fail", params={"kind": "nope"})).status_code == 404
        assert (await http.post("/_fake/change", params={"n": "x"})).status_code == 400
    assert len(changed) == 4
    assert all(fake.tickets[i].properties["hs_ticket_priority"] == "URGENT" for i in changed)
    assert list(fake.failures) == ["503", "503"]


def scripted(*responses: httpx.Response | Exception) -> httpx.MockTransport:
    """HubSpot answering these in turn (then 200 `{"results": []}`); exceptions are raised."""
    queue = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        answer = queue.pop(0) if queue else httpx.Response(200, json={"results": []})
        if isinstance(answer, Exception):
            raise answer
        return answer

    return httpx.MockTransport(handler)


HTML = httpx.Response(200, content=b"<html><body>Bad gateway</body></html>")


@pytest.mark.parametrize(
    "first",
    [
        HTML,
        httpx.Response(200, content=b'{"results": [{"id": "1", "prop'),  # truncated
        httpx.DecodingError("invalid gzip stream"),
    ],
)
async def test_a_body_that_cannot_be_read_is_retried(
    hubspot_settings: Callable[..., Settings], first: httpx.Response | Exception
) -> None:
    settings = hubspot_settings("http://hubspot.test")
    async with HubSpotClient(settings.hubspot, transport=scripted(first)) as client:
        assert await client.pipelines() == []
    assert client.stats.retries == 1


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ([HTML] * 3, "HubSpot answered 200 without a JSON body after 3 attempts."),
        (
            [httpx.Response(200, json=[1, 2])],
            "HubSpot answered 200 with JSON that is not an object.",
        ),
    ],
)
async def test_a_body_that_is_not_a_json_object_ends_in_a_clear_error(
    hubspot_settings: Callable[..., Settings], answers: list[httpx.Response], message: str
) -> None:
    settings = hubspot_settings("http://hubspot.test", HUBSPOT_MAX_RETRIES="2")
    async with HubSpotClient(settings.hubspot, transport=scripted(*answers)) as client:
        with pytest.raises(HubSpotError) as raised:
            await client.pipelines()
    assert str(raised.value) == message


@pytest.mark.parametrize(("header", "wait"), [("inf", 10.0), ("nan", 10.0), ("1e300", 60.0)])
async def test_a_retry_after_that_cannot_be_waited_out_is_not(
    hubspot_settings: Callable[..., Settings], header: str, wait: float
) -> None:
    limited = httpx.Response(
        429, headers={"Retry-After": header}, json={"policyName": "TEN_SECONDLY_ROLLING"}
    )
    settings = hubspot_settings("http://hubspot.test", HUBSPOT_TIME_SCALE="1")
    clock = ManualClock()
    client = HubSpotClient(
        settings.hubspot, sleep=clock.sleep, clock=clock, transport=scripted(limited)
    )
    async with client:
        assert await client.pipelines() == []
    assert clock.sleeps == [wait]


@pytest.mark.parametrize("status", [401, 500])
async def test_the_token_never_appears_in_an_error_even_when_hubspot_quotes_it(
    hubspot_settings: Callable[..., Settings], status: int
) -> None:
    settings = hubspot_settings("http://hubspot.test", HUBSPOT_MAX_RETRIES="0")
    token = settings.hubspot.token
    assert token is not None
    quoted = httpx.Response(status, json={"message": f"Bad token {token.get_secret_value()}"})
    async with HubSpotClient(settings.hubspot, transport=scripted(quoted)) as client:
        with pytest.raises(HubSpotError) as raised:
            await client.pipelines()
    assert token.get_secret_value() not in str(raised.value)
    assert "Bad token [token]" in str(raised.value)
