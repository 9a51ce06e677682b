"""The composition root installs every part, always: no part is optional by accident."""

from __future__ import annotations

import ast
from pathlib import Path

from heartlink_desktop.agent import Facilitator
from heartlink_desktop.app import build_host
from heartlink_desktop.paths import Paths
from heartlink_desktop.server.evening import EveningService
from heartlink_desktop.server.lifecycle import Lifecycle
from heartlink_desktop.settings import Settings
from heartlink_desktop.speech import Speech

PACKAGE = Path(__file__).resolve().parents[2] / "heartlink_desktop"


def test_every_part_is_installed(data_dir: Path) -> None:
    host = build_host(Settings(host="127.0.0.1", port=0, stt="off").validate(), Paths(data_dir))
    assert isinstance(host.facilitator, Facilitator)
    assert isinstance(host.speech, Speech)
    assert [type(s) for s in host.services] == [Facilitator, Lifecycle, Speech]
    assert host.evening is None
    evening = build_host(Settings(host="127.0.0.1", port=0, rounds=3).validate(), Paths(data_dir))
    assert isinstance(evening.evening, EveningService) and evening.services[-1] is evening.evening


def test_no_internal_import_is_optional() -> None:
    """An `except ImportError` may guard only a package from outside (keyring, the Qt
    window's libraries), never a module of heartlink_desktop."""
    for path in PACKAGE.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Try):
                continue
            if not any(isinstance(h.type, ast.Name) and h.type.id == "ImportError" for h in node.handlers):
                continue
            for inner in ast.walk(ast.Module(body=node.body, type_ignores=[])):
                if isinstance(inner, ast.ImportFrom) and (inner.module or "").startswith("heartlink_desktop"):
                    name = path.relative_to(PACKAGE.parent)
                    if (
                        str(name) == "heartlink_desktop/app.py"
                        and inner.module == "heartlink_desktop.gui.main"
                    ):
                        continue  # the window needs Qt's libraries: without them, a plain error
                    raise AssertionError(f"{name}:{inner.lineno} imports {inner.module} optionally")
