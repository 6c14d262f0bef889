"""The client IP rule: the entry Render's proxy appended (the last), never a forgeable first."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from rgms.authentication.client_ip import client_ip_from_meta


@pytest.mark.parametrize(
    ("forwarded", "remote", "proxies", "expected"),
    [
        ("203.0.113.9", "10.0.0.1", 1, "203.0.113.9"),
        ("6.6.6.6, 203.0.113.9", "10.0.0.1", 1, "203.0.113.9"),
        ("6.6.6.6,7.7.7.7,  203.0.113.9 ", "10.0.0.1", 1, "203.0.113.9"),
        ("6.6.6.6, 203.0.113.9, 10.1.1.1", "10.0.0.1", 2, "203.0.113.9"),
        ("203.0.113.9", "10.0.0.1", 2, "10.0.0.1"),  # fewer entries than proxies
        ("203.0.113.9", "10.0.0.1", 0, "10.0.0.1"),  # no proxy trusted
        ("", "10.0.0.1", 1, "10.0.0.1"),
        (None, "10.0.0.1", 1, "10.0.0.1"),
        ("not-an-ip", "10.0.0.1", 1, "10.0.0.1"),
        ("6.6.6.6, garbage", "10.0.0.1", 1, "10.0.0.1"),
        ("2001:db8::1", "10.0.0.1", 1, "2001:db8::1"),
        ("[2001:db8:0:0::1]:443", "10.0.0.1", 1, "2001:db8::1"),
        ("203.0.113.9:5000", "10.0.0.1", 1, "203.0.113.9"),
        ("6.6.6.6", "", 0, None),
    ],
)
def test_client_ip(forwarded: str | None, remote: str, proxies: int, expected: str | None) -> None:
    meta = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        meta["HTTP_X_FORWARDED_FOR"] = forwarded
    assert client_ip_from_meta(meta, trusted_proxies=proxies) == expected


def test_default_trusts_one_proxy(settings) -> None:
    settings.TRUSTED_PROXY_COUNT = 1
    meta = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9"}
    assert client_ip_from_meta(meta) == "203.0.113.9"


@given(forged=st.lists(st.ip_addresses().map(str), max_size=5))
def test_forged_entries_never_change_the_result(forged: list[str]) -> None:
    real = "198.51.100.23"
    meta = {"REMOTE_ADDR": "10.0.0.1", "HTTP_X_FORWARDED_FOR": ", ".join([*forged, real])}
    assert client_ip_from_meta(meta, trusted_proxies=1) == real
