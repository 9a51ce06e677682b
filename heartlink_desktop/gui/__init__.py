"""The host's window: PySide6 widgets that reach the server only through the bridge."""
