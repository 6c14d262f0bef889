"""Locust load scenarios for RGMS and the pure logic that turns a run into PASS / BREACH."""
