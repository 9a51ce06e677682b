"""LAN address discovery and the join URL."""

from __future__ import annotations

import ipaddress
import socket
from dataclasses import dataclass

import psutil

# Interfaces that are never the LAN a phone is on: containers, VMs, VPN tunnels.
_VIRTUAL_PREFIXES = (
    "docker",
    "br-",
    "veth",
    "virbr",
    "vboxnet",
    "vmnet",
    "tun",
    "tap",
    "wg",
    "utun",
    "zt",
    "tailscale",
    "ppp",
    "ipsec",
    "lxc",
    "lxd",
    "cni",
    "flannel",
    "kube",
    "podman",
)
_CGNAT = ipaddress.IPv4Network("100.64.0.0/10")  # Tailscale and carrier NAT, not a home LAN


@dataclass(frozen=True)
class LanAddress:
    """One IPv4 address of this computer on a LAN, its interface, and whether the default
    route leaves through it (that one goes in the QR code unless the host picks another)."""

    ip: str
    interface: str
    default_route: bool = False


def default_route_ip() -> str | None:
    """The source address the OS would use to leave the machine (a UDP connect sends nothing)."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.connect(("192.0.2.1", 9))  # TEST-NET-1: a routing lookup only, no packet
        return str(s.getsockname()[0])
    except OSError:
        return None
    finally:
        s.close()


def is_lan_ip(ip: str) -> bool:
    addr = ipaddress.IPv4Address(ip)
    return addr.is_private and not (addr.is_loopback or addr.is_link_local or addr in _CGNAT)


def lan_addresses() -> list[LanAddress]:
    """Private IPv4 addresses of interfaces that are up, the default-route one first."""
    stats = psutil.net_if_stats()
    default = default_route_ip()
    found: list[LanAddress] = []
    for name, addrs in psutil.net_if_addrs().items():
        st = stats.get(name)
        if st is None or not st.isup or name.lower().startswith(_VIRTUAL_PREFIXES):
            continue
        for a in addrs:
            if a.family == socket.AF_INET and is_lan_ip(a.address):
                found.append(LanAddress(a.address, name, a.address == default))
    found.sort(key=lambda a: (not a.default_route, ipaddress.IPv4Address(a.ip)))
    unique: dict[str, LanAddress] = {}
    for a in found:
        unique.setdefault(a.ip, a)
    return list(unique.values())


def pick_address(addresses: list[LanAddress], wanted: str | None) -> str:
    """The address to advertise: the wanted one if present, else the first, else loopback."""
    ips = [a.ip for a in addresses]
    if wanted and (wanted in ips or wanted == "127.0.0.1"):
        return wanted
    return ips[0] if ips else "127.0.0.1"


def join_url(ip: str, port: int, token: str) -> str:
    return f"https://{ip}:{port}/?t={token}"


def free_port(host: str = "0.0.0.0") -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return int(s.getsockname()[1])
