"""Shared pieces of the load scenarios: budgets, auth, data and the locust integration."""
