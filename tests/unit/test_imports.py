"""The rule of what may import what (docs/architecture.md), checked on every module.

core imports nothing of HeartLink but core. The parts around it (agent, speech, server)
import core and the leaf modules, never each other's insides, the window or the app: the
composition root (app.py) installs them in the host. The window (gui) reaches the server
only through gui/bridge.py, never imports the app, and touches no socket."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[2] / "heartlink_desktop"
LEAVES = {"paths", "settings", "net", "tls", "endpoints", "aio", "internals", "__init__", "__main__"}

# part -> the parts of HeartLink it may import (besides itself)
ALLOWED: dict[str, set[str]] = {
    "core": set(),
    "agent": {"core"} | LEAVES,
    "speech": {"core"} | LEAVES,
    "server": {"core"} | LEAVES,
    "gui": {"core", "server"} | LEAVES,
    "app": {"core", "agent", "speech", "server", "gui"} | LEAVES,
}
# the leaf modules import only one another
for leaf in LEAVES:
    ALLOWED[leaf] = LEAVES - {leaf} | ({"app"} if leaf == "__main__" else set())
NETWORK = {"socket", "ssl", "aiohttp", "socketio", "engineio", "asyncio.streams"}


def part_of(path: Path) -> str:
    rel = path.relative_to(PACKAGE)
    return rel.parts[0] if len(rel.parts) > 1 else rel.stem


def imports(path: Path) -> list[tuple[int, str]]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
        elif isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
    return found


def target(module: str) -> str | None:
    bits = module.split(".")
    if bits[0] != "heartlink_desktop":
        return None
    return bits[1] if len(bits) > 1 else "__init__"


def test_every_import_follows_the_rule() -> None:
    wrong = []
    for path in sorted(PACKAGE.rglob("*.py")):
        part = part_of(path)
        for line, module in imports(path):
            dst = target(module)
            if dst is None or dst == part:
                continue
            if dst not in ALLOWED[part]:
                wrong.append(f"{path.relative_to(PACKAGE.parent)}:{line} ({part}) imports {module}")
    assert wrong == []


def test_only_the_bridge_reaches_the_server_and_the_window_touches_no_socket() -> None:
    wrong = []
    for path in sorted((PACKAGE / "gui").rglob("*.py")):
        for line, module in imports(path):
            where = f"gui/{path.name}:{line} imports {module}"
            if target(module) == "server" and path.name != "bridge.py":
                wrong.append(where)
            if module.split(".")[0] in NETWORK or module in NETWORK:
                wrong.append(where)
    assert wrong == []


def test_the_rule_is_checked_on_every_part() -> None:
    parts = {part_of(p) for p in PACKAGE.rglob("*.py")}
    assert parts <= set(ALLOWED), parts - set(ALLOWED)


def test_no_module_imports_another_that_imports_it_back() -> None:
    """No circle of imports, counting those made only for type checking: a part reaches the
    host through the Protocols it is given, never by importing the module that holds it."""
    paths = {
        ".".join(p.relative_to(PACKAGE.parent).with_suffix("").parts).removesuffix(".__init__"): p
        for p in PACKAGE.rglob("*.py")
    }
    graph: dict[str, set[str]] = {}
    for name, path in paths.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                # `from package import module` imports the module, not the package's insides
                subs = {f"{node.module}.{a.name}" for a in node.names} & paths.keys()
                found |= subs or {node.module}
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names}
        graph[name] = {m for m in found if m in paths and m != name}
    cycles = []
    state: dict[str, int] = {}  # 1: on the path, 2: done

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join([*path[path.index(nxt) :], nxt]))
            elif nxt not in state:
                visit(nxt, [*path, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert cycles == []
