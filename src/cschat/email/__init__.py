"""Outgoing mail: a backend chosen by EMAIL_BACKEND and the templates it sends."""
