"""Invitations: a pending account, a single-use emailed token, acceptance."""
