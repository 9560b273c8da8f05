"""API keys for machines: hashed, prefixed, scoped, revocable."""
