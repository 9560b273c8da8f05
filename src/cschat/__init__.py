"""cschat: analytics chat backend for customer-service teams."""

__version__ = "0.1.0"
