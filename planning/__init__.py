"""The planning domain: policy profiles, demand, compliance, scenarios, indicators, CLI."""
