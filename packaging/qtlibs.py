"""Check that every shared library Qt's xcb platform plugin links to is installed.

    python packaging/qtlibs.py [PLUGIN]

PLUGIN defaults to PySide6's libqxcb.so in the running interpreter's environment. Exit 0
when `ldd` finds every library; otherwise exit 1, naming for each missing library the
Debian package that provides it, so that a Qt release needing one more library is caught
by the set-up instead of by a confusing error later (the .deb build, a window under Xvfb).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

LIST = "QT_XCB_DEBS in scripts/_env.sh"
_NOT_FOUND = re.compile(r"^\s*(\S+)\s+=>\s+not found\s*$")
_SONAME = re.compile(r"^(?P<name>.+?)\.so\.(?P<major>\d+)")


def xcb_plugin() -> Path:
    import PySide6  # only the package's location: no Qt library is loaded

    return Path(PySide6.__file__).parent / "Qt" / "plugins" / "platforms" / "libqxcb.so"


def not_found(ldd_output: str) -> list[str]:
    """The libraries `ldd` could not find, each once, in the order it printed them."""
    seen: list[str] = []
    for line in ldd_output.splitlines():
        match = _NOT_FOUND.match(line)
        if match and match.group(1) not in seen:
            seen.append(match.group(1))
    return seen


def debian_package(soname: str) -> str:
    """The name Debian's policy gives the package of a shared library (section 8.1):
    libxcb-icccm.so.4 -> libxcb-icccm4, libxkbcommon-x11.so.0 -> libxkbcommon-x11-0."""
    match = _SONAME.match(soname)
    if match is None:
        return soname.lower()
    name, major = match.group("name").lower(), match.group("major")
    return f"{name}-{major}" if name[-1].isdigit() else f"{name}{major}"


def known_to_apt(package: str) -> bool | None:
    """True or False when apt's lists can tell, None when apt is not there to ask."""
    if shutil.which("apt-cache") is None:
        return None
    done = subprocess.run(["apt-cache", "show", package], capture_output=True, text=True)
    return done.returncode == 0 and "Package:" in done.stdout


def report(missing: list[str]) -> str:
    lines = [
        f"Qt's xcb platform plugin needs {len(missing)} shared librar{'y' if len(missing) == 1 else 'ies'} "
        "that this machine lacks:"
    ]
    for soname in missing:
        package = debian_package(soname)
        known = known_to_apt(package)
        where = {
            True: "",
            False: " (not in apt's lists: run apt-get update, or look it up with apt-file)",
            None: "",
        }[known]
        lines.append(f"  {soname}: Debian package {package}{where}")
    lines.append(f"Add the package(s) to {LIST}, then run the set-up again.")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    if not argv and not sys.platform.startswith("linux"):
        return 0  # Qt's xcb plugin is Linux's (X11); other systems have their own
    plugin = Path(argv[0]) if argv else xcb_plugin()
    if not plugin.is_file():
        print(f"qtlibs: no Qt xcb plugin at {plugin}", file=sys.stderr)
        return 1
    done = subprocess.run(["ldd", str(plugin)], capture_output=True, text=True)
    if done.returncode != 0:
        print(f"qtlibs: ldd {plugin} failed: {done.stderr.strip()}", file=sys.stderr)
        return 1
    missing = not_found(done.stdout)
    if missing:
        print(report(missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
