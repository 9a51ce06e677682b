"""The window's modules keep to their rule: only the bridge holds the host and reaches the
server; none imports the composition root or a network library; each stays small."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

GUI = Path(__file__).resolve().parents[2] / "heartlink_desktop" / "gui"
MODULES = sorted(GUI.glob("*.py"))
NETWORK = ("socket", "ssl", "socketio", "engineio", "aiohttp")


def imported(tree: ast.AST) -> list[str]:
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            names.append(node.module or "")
            names += [f"{node.module}.{a.name}" for a in node.names]
    return names


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_only_the_bridge_reaches_the_server(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names = imported(tree)
    assert not [n for n in names if n == "heartlink_desktop.app" or n.startswith("heartlink_desktop.app.")]
    assert not [n for n in names if n.split(".")[0] in NETWORK]
    if path.name != "bridge.py":
        assert not [n for n in names if n.startswith("heartlink_desktop.server")]
        reach = [
            node.lineno
            for node in ast.walk(tree)
            if isinstance(node, ast.Attribute)
            and node.attr == "host"
            and (
                (isinstance(node.value, ast.Attribute) and node.value.attr == "bridge")
                or (isinstance(node.value, ast.Name) and node.value.id in ("bridge", "b"))
            )
        ]
        assert not reach, f"{path.name} reads bridge.host at lines {reach}: read bridge.status"


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.name)
def test_each_module_is_under_400_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) < 400
