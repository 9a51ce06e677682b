"""The set-up's check that Qt's xcb plugin finds every library it links to (packaging/qtlibs.py)."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_spec = importlib.util.spec_from_file_location("qtlibs", ROOT / "packaging" / "qtlibs.py")
assert _spec is not None and _spec.loader is not None
qtlibs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(qtlibs)

LDD_SAMPLE = """\
\tlinux-vdso.so.1 (0x00007ffd8a5f2000)
\tlibQt6XcbQpa.so.6 => /venv/PySide6/Qt/lib/libQt6XcbQpa.so.6 (0x00007f0e1c000000)
\tlibxcb-icccm.so.4 => not found
\tlibxcb-keysyms.so.1 => not found
\tlibxkbcommon-x11.so.0 => /lib/x86_64-linux-gnu/libxkbcommon-x11.so.0 (0x00007f0e1bff0000)
\tlibxcb-icccm.so.4 => not found
"""


def test_the_libraries_ldd_cannot_find_are_listed_once_each() -> None:
    assert qtlibs.not_found(LDD_SAMPLE) == ["libxcb-icccm.so.4", "libxcb-keysyms.so.1"]
    assert qtlibs.not_found("\tlibc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x1)\n") == []


@pytest.mark.parametrize(
    ("soname", "package"),
    [
        ("libxcb-icccm.so.4", "libxcb-icccm4"),
        ("libxcb-keysyms.so.1", "libxcb-keysyms1"),
        ("libxcb-cursor.so.0", "libxcb-cursor0"),
        ("libxkbcommon-x11.so.0", "libxkbcommon-x11-0"),  # a name ending in a digit takes a hyphen
        ("libX11-xcb.so.1", "libx11-xcb1"),
        ("libxcb-render-util.so.0", "libxcb-render-util0"),
    ],
)
def test_a_library_is_named_by_the_debian_package_that_provides_it(soname: str, package: str) -> None:
    assert qtlibs.debian_package(soname) == package


def test_the_report_names_each_package_and_where_the_list_lives() -> None:
    text = qtlibs.report(["libxcb-icccm.so.4", "libxcb-keysyms.so.1"])
    assert "libxcb-icccm.so.4: Debian package libxcb-icccm4" in text
    assert "libxcb-keysyms.so.1: Debian package libxcb-keysyms1" in text
    assert "QT_XCB_DEBS in scripts/_env.sh" in text


def test_every_library_of_the_venvs_qt_xcb_plugin_is_installed() -> None:
    """What the set-up installed covers what this Qt needs: fails, naming the packages, when a
    machine lacks one (as a new machine lacked libxcb-icccm4 and libxcb-keysyms1)."""
    done = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "qtlibs.py")], capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr


def test_the_check_refuses_a_plugin_that_is_not_there(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "qtlibs.py"), str(tmp_path / "libqxcb.so")],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 1
    assert "no Qt xcb plugin" in done.stderr
