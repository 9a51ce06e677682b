"""HeartLink Desktop: host a private, facilitated video conversation on the LAN."""

__version__ = "0.1.0"
APP_NAME = "HeartLink"
