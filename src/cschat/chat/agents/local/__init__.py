"""The built-in analytics agent: rule-based Spanish and English, no model, no network."""
