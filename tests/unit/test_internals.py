"""The libraries' internals behind one seam (heartlink_desktop/internals.py): each listed name
still exists in what is installed, at the versions checked and bounded in pyproject.toml, and
no other private name of python-socketio, python-engineio, aiohttp, asyncio, qasync or
socket.io-client is used in heartlink_desktop/ or resources/web/."""

from __future__ import annotations

import ast
import functools
import importlib
import inspect
import json
import re
import sys
import tomllib
from importlib import metadata
from pathlib import Path
from typing import Any

import pytest

from heartlink_desktop import app, internals
from heartlink_desktop.settings import parse_args

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "heartlink_desktop"
LIBRARIES = {"socketio", "engineio", "aiohttp", "asyncio", "qasync"}
BOUNDED = ("python-socketio", "python-engineio", "aiohttp", "qasync")
# private names of other packages, and why they are fine
OTHERS = {
    "_MEIPASS": "PyInstaller's documented folder of a frozen app (paths.py)",
    "_exit": "os._exit, documented: a worker process leaves at once when its host is gone (agent/nlp.py)",
}
IDENT = re.compile(r"(?<![\w.])_[A-Za-z0-9]\w*|(?<=\.)_[A-Za-z0-9]\w*")


def private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__") and len(name) > 1


def resolve(owner: str) -> Any:
    module, _, attr = owner.partition(":")
    found = importlib.import_module(module)
    return getattr(found, attr) if attr else found


def source_names(obj: Any) -> set[str]:
    """Every identifier in the source of `obj` (each library class of a class's MRO)."""
    names: set[str] = set()
    for part in obj.__mro__ if inspect.isclass(obj) else (obj,):
        if part.__module__.split(".")[0] not in LIBRARIES | {"_asyncio"}:
            continue
        names |= set(vars(part))
        try:
            names |= set(re.findall(r"\w+", inspect.getsource(part)))
        except (OSError, TypeError):
            pass
    return names


@functools.cache
def library_privates() -> frozenset[str]:
    """Every private identifier anywhere in the libraries' sources."""
    found: set[str] = set()
    for name in LIBRARIES:
        for path in Path(importlib.import_module(name).__file__ or "").parent.rglob("*.py"):
            found |= {n for n in IDENT.findall(path.read_text(errors="ignore")) if private(n)}
    return frozenset(found)


def modules() -> list[tuple[str, ast.Module, Any]]:
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        rel = path.relative_to(PACKAGE).as_posix()
        if rel.endswith("__main__.py"):
            continue
        name = "heartlink_desktop." + rel.removesuffix(".py").replace("/", ".").removesuffix(".__init__")
        found.append((rel, ast.parse(path.read_text(encoding="utf-8")), importlib.import_module(name)))
    return found


def library_classes(module: Any) -> dict[str, set[str]]:
    """The module's classes that extend a library's, each with the names of those."""
    found = {}
    for name, obj in vars(module).items():
        if inspect.isclass(obj) and obj.__module__ == module.__name__:
            names = source_names(obj)
            if names:
                found[name] = names
    return found


def own_privates(parsed: list[tuple[str, ast.Module, Any]]) -> set[str]:
    """Private names HeartLink defines itself (functions, classes, attributes it assigns)."""
    own: set[str] = set()
    for _, tree, _ in parsed:
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                own.add(node.name)
            elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
                own.add(node.attr)
            elif isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
                own.add(node.id)
    return {n for n in own if private(n)}


def uses(rel: str, tree: ast.Module, module: Any, own: set[str]) -> set[tuple[str, str]]:
    """(module, name) for each library private name the module reaches."""
    classes = library_classes(module)
    found: set[tuple[str, str]] = set()

    def visit(node: ast.AST, cls: str | None) -> None:
        if isinstance(node, ast.ClassDef):
            cls = node.name
        lib = classes.get(cls or "", set())
        if (
            isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
            and private(node.name)
            and node.name in lib
        ):
            found.add((rel, node.name))  # an override
        if isinstance(node, ast.Attribute) and private(node.attr) and node.attr not in OTHERS:
            v = node.value
            on_self = (isinstance(v, ast.Name) and v.id in ("self", "cls")) or (
                isinstance(v, ast.Call) and isinstance(v.func, ast.Name) and v.func.id == "super"
            )
            if on_self:
                if node.attr in lib:
                    found.add((rel, node.attr))
            elif node.attr in library_privates() or node.attr not in own:
                found.add((rel, node.attr))
        for child in ast.iter_child_nodes(node):
            visit(child, cls)

    visit(tree, None)
    return found


def test_each_listed_name_exists_in_what_is_installed() -> None:
    missing = []
    for entry in internals.INTERNALS:
        assert entry.library in internals.CHECKED_AGAINST
        owner = resolve(entry.owner)
        if not (hasattr(owner, entry.name) or entry.name in source_names(owner)):
            missing.append(f"{entry.owner} {entry.name}")
        for rel in entry.used_in:
            text = (PACKAGE / rel).read_text(encoding="utf-8")
            assert re.search(rf"\b{re.escape(entry.name)}\b", text), f"{rel} does not use {entry.name}"
    assert missing == []


def test_the_libraries_are_the_versions_checked_and_bounded_there() -> None:
    assert internals.unchecked() == [], "check internals.py's names against these, then its versions"
    assert sys.version_info[:2] in ((3, 12), (3, 13))
    page = json.loads((ROOT / "package.json").read_text())["dependencies"]["socket.io-client"]
    assert page == internals.CHECKED_AGAINST["socket.io-client"]
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for library in BOUNDED:
        spec = next(d for d in deps if re.match(rf"{library}\b", d))
        assert f"<={internals.CHECKED_AGAINST[library]}" in spec.replace(" ", ""), spec


def test_no_private_name_of_a_library_is_used_outside_the_table() -> None:
    parsed = modules()
    own = own_privates(parsed)
    found = set().union(*(uses(rel, tree, module, own) for rel, tree, module in parsed))
    listed = {(rel, e.name) for e in internals.INTERNALS for rel in e.used_in}
    assert found - listed == set(), "list these in heartlink_desktop/internals.py, or use a public name"
    stale = {(rel, name) for rel, name in listed if private(name)} - found
    assert stale == set(), "listed in internals.py but used no more"


def test_the_page_reaches_no_socket_io_internals() -> None:
    wrong = []
    for path in sorted((ROOT / "resources" / "web").glob("*.js")):
        text = path.read_text(encoding="utf-8")
        code = re.sub(r"//[^\n]*|/\*.*?\*/", "", text, flags=re.S)
        for m in re.finditer(
            r"\.(_[A-Za-z0-9]\w*)|\.engine\.(\w+)|\.transport\.(\w+)|\b(writeBuffer)\b", code
        ):
            name = next(g for g in m.groups() if g)
            if m.group(2) in ("on", "once", "off", "id", "transport") or m.group(3) == "name":
                continue  # socket.io's documented `socket.io.engine` events and transport name
            wrong.append(f"{path.name}: {name}")
    assert wrong == []


def test_the_switch_is_off_unless_asked() -> None:
    assert parse_args([]).plain_io is False
    assert parse_args(["--plain-io"]).plain_io is True


def test_a_library_at_another_version_is_named_at_start_up(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    assert internals.unchecked() == []
    monkeypatch.setitem(internals.CHECKED_AGAINST, "aiohttp", "0.0.1")
    assert internals.unchecked() == [f"aiohttp {metadata.version('aiohttp')} (checked 0.0.1)"]
    assert app.main(["--no-such-option"]) == 2
    assert "aiohttp" in caplog.text and "--plain-io" in caplog.text
