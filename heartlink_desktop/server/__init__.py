"""The host server: aiohttp + python-socketio around the pure core."""

from heartlink_desktop.server.host import HostServer, PortInUseError, ServerEvent

__all__ = ["HostServer", "PortInUseError", "ServerEvent"]
