"""The sign-in allowlist API (emails and whole domains)."""
