"""The Amazon Bedrock Agent provider (`AGENT_PROVIDER=bedrock`) and its local emulator."""
