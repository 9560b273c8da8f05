"""The built-in analytics agent: rule-based Spanish and English understanding, no model, no network."""
