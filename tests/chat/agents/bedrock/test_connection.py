"""info(), test_connection() and `cschat check` / `cschat bedrock schema` against the emulator."""

from __future__ import annotations

import json
from collections.abc import Callable

from sqlalchemy.engine import URL
from typer.testing import CliRunner

from cschat.chat.agents.bedrock.agent import BedrockAgent
from cschat.chat.agents.bedrock.emulator import Emulator
from cschat.cli import app
from cschat.tickets.tools import TOOLS

runner = CliRunner()


async def test_info_names_the_agent(make_agent: Callable[..., BedrockAgent]) -> None:
    info = await make_agent(BEDROCK_AGENT_ARN="arn:aws:bedrock:eu-west-1:1:agent/AGENT12345").info()
    assert info == {
        "provider": "bedrock",
        "agent_id": "AGENT12345",
        "agent_alias_id": "ALIAS12345",
        "region": "us-east-1",
        "arn": "arn:aws:bedrock:eu-west-1:1:agent/AGENT12345",
    }


async def test_info_without_a_configured_arn_invents_none(
    make_agent: Callable[..., BedrockAgent],
) -> None:
    # An ARN needs the account id, which the settings do not hold: a made-up one without it
    # ("arn:aws:bedrock:us-east-1:agent-alias/...") is not an ARN anyone can use.
    info = await make_agent().info()
    assert info["arn"] is None
    assert info["agent_id"] == "AGENT12345" and info["agent_alias_id"] == "ALIAS12345"


async def test_connection_ok_when_prepared_and_answering(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator]
) -> None:
    emulator[1].config.update({"mode": "echo"})
    result = await make_agent().test_connection()
    assert result.success, result.message
    assert result.agent_info["alias_status"] == "PREPARED"
    assert result.agent_info["arn"].endswith("agent-alias/AGENT12345/ALIAS12345")
    [probe] = emulator[1].requests
    assert probe["body"]["endSession"] is True


async def test_connection_fails_when_not_prepared_or_denied(
    make_agent: Callable[..., BedrockAgent], emulator: tuple[str, Emulator]
) -> None:
    emulator[1].config.update({"mode": "echo", "alias_status": "NOT_PREPARED"})
    result = await make_agent().test_connection()
    assert not result.success and "NOT_PREPARED" in result.message
    emulator[1].config.update(
        {
            "alias_status": "PREPARED",
            "error_before": "AccessDeniedException",
            "error_before_times": 1,
        }
    )
    denied = await make_agent().test_connection()
    assert not denied.success and "bedrock:InvokeAgent" in denied.message


def test_cli_check_includes_bedrock(database_url: URL, emulator: tuple[str, Emulator]) -> None:
    emulator[1].config.update({"mode": "echo"})
    env = {
        "DATABASE_URL": database_url.render_as_string(hide_password=False),
        "AGENT_PROVIDER": "bedrock",
        "BEDROCK_AGENT_ID": "AGENT12345",
        "BEDROCK_AGENT_ALIAS_ID": "ALIAS12345",
        "SECRET_KEY": "k" * 40,
    }
    result = runner.invoke(app, ["check"], env=env)
    assert result.exit_code == 0, result.output
    assert "Agent alias PREPARED and answering" in " ".join(result.output.split())
    emulator[1].config.update({"alias_status": "CREATING"})
    failed = runner.invoke(app, ["check"], env=env)
    assert failed.exit_code == 1 and "CREATING" in " ".join(failed.output.split())
    missing = runner.invoke(app, ["check"], env={**env, "BEDROCK_AGENT_ALIAS_ID": ""})
    assert missing.exit_code == 1 and "BEDROCK_AGENT_ALIAS_ID: required" in missing.output


def test_cli_schema_lists_every_tool_in_bedrock_format() -> None:
    result = runner.invoke(app, ["bedrock", "schema"])
    assert result.exit_code == 0, result.output
    schema = json.loads(result.output)
    assert schema["actionGroupName"] == "tickets_analytics"
    functions = {f["name"]: f for f in schema["functionSchema"]["functions"]}
    assert set(functions) == set(TOOLS)
    trend = functions["ticket_trend"]["parameters"]
    assert trend["interval"] == {
        "description": trend["interval"]["description"],
        "type": "string",
        "required": True,
    }
    assert "week" in trend["interval"]["description"]
    assert functions["breakdown_tickets"]["parameters"]["limit"]["type"] == "integer"
