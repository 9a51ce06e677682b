"""The host server: aiohttp + python-socketio around the pure core (the host is
`server/host.py` `HostServer`)."""
