"""The append-only audit log of administrative and security events."""
