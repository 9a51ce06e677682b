#!/bin/sh
# The heartlink-desktop command: the frozen app installed under /opt.
exec /opt/heartlink-desktop/HeartLink "$@"
