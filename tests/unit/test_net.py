"""LAN address rules and the join URL."""

from __future__ import annotations

import pytest

from heartlink_desktop import net


@pytest.mark.parametrize(
    "ip, lan",
    [
        ("192.168.1.20", True),
        ("10.0.0.7", True),
        ("172.20.10.8", True),
        ("127.0.0.1", False),
        ("169.254.3.4", False),
        ("100.100.1.1", False),
        ("8.8.8.8", False),
    ],
)
def test_which_addresses_count_as_lan(ip: str, lan: bool) -> None:
    assert net.is_lan_ip(ip) is lan


def test_pick_address_prefers_the_wanted_then_the_first() -> None:
    addrs = [net.LanAddress("192.168.1.20", "wlan0", True), net.LanAddress("10.0.0.7", "eth0")]
    assert net.pick_address(addrs, None) == "192.168.1.20"
    assert net.pick_address(addrs, "10.0.0.7") == "10.0.0.7"
    assert net.pick_address(addrs, "10.9.9.9") == "192.168.1.20"  # gone since it was saved
    assert net.pick_address([], None) == "127.0.0.1"


def test_discovery_lists_up_private_ipv4_default_route_first() -> None:
    found = net.lan_addresses()
    assert all(net.is_lan_ip(a.ip) for a in found)
    assert [a.default_route for a in found] == sorted((a.default_route for a in found), reverse=True)
    assert len({a.ip for a in found}) == len(found)


def test_join_url_uses_the_numeric_ip_and_token() -> None:
    assert net.join_url("192.168.1.20", 8765, "abc_-1") == "https://192.168.1.20:8765/?t=abc_-1"
