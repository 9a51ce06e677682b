"""The Windows and macOS installer definitions, which are built elsewhere, agree with the app."""

from __future__ import annotations

import re
from pathlib import Path, PureWindowsPath

import pytest

from heartlink_desktop.settings import Settings
from tests.packaging.conftest import ROOT

pytestmark = pytest.mark.packaging

ISS = ROOT / "packaging" / "windows" / "heartlink.iss"


def iss_define(name: str) -> str:
    m = re.search(rf'#define {name} "([^"]*)"', ISS.read_text())
    assert m, name
    return m[1]


def test_windows_firewall_rule_opens_the_default_port_on_private_networks_only() -> None:
    text = ISS.read_text()
    assert int(iss_define("Port")) == Settings().port
    rule = re.search(r"firewall add rule ([^\n]+)", text)
    assert rule
    assert "dir=in" in rule[1] and "protocol=TCP" in rule[1] and "localport={#Port}" in rule[1]
    assert "profile=private" in rule[1] and "public" not in rule[1]
    assert re.search(r"\[UninstallRun\][^\[]*firewall delete rule", text)


def test_windows_installer_takes_files_that_the_build_makes() -> None:
    text = ISS.read_text()

    def setting(key: str) -> Path:
        m = re.search(rf"^{key}=(.+)$", text, re.M)
        assert m, key
        return ISS.parent.joinpath(*PureWindowsPath(m[1].strip()).parts).resolve()

    assert setting("SetupIconFile") == ROOT / "resources" / "icons" / "heartlink.ico"
    assert setting("SetupIconFile").is_file()
    assert setting("OutputDir") == ROOT / "dist"
    assert 'Source: "..\\..\\dist\\HeartLink\\*"' in text  # what build.spec's COLLECT makes
    assert iss_define("AppExe") == "HeartLink.exe"


def test_macos_bundle_is_defined_with_the_package_version_and_icon() -> None:
    spec = (ROOT / "build.spec").read_text()
    assert "BUNDLE(" in spec and "version=__version__" in spec
    assert "from heartlink_desktop import __version__" in spec
    assert (ROOT / "resources" / "icons" / "heartlink.icns").is_file()
