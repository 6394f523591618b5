"""course_lib's layers: every import points down the stack and no modules import each other.

Each top-level module or package of course_lib is a room, and the rooms stack in this order
(a room may import only the rooms below it, imports inside functions included):

    errors, config  <  data  <  losses  <  models  <  metrics  <  training
    <  pipelines, painter, plots  <  checks  <  grading  <  cli, setup_check, publish

Metrics sit above models because they score models (FID uses FashionCNN's features, mIoU the
segmenter's predictions); training sits above both because it evaluates while it trains.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from conftest import REPO

PACKAGE = REPO / "course_lib"
STACK = [{"errors", "config"}, {"data"}, {"losses"}, {"models"}, {"metrics"}, {"training"},
         {"pipelines", "painter", "plots"}, {"checks"}, {"grading"},
         {"cli", "setup_check", "publish", "__init__"}]
LEVEL = {room: level for level, rooms in enumerate(STACK) for room in rooms}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(REPO).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def is_module(name: str) -> bool:
    path = REPO / name.replace(".", "/")
    return path.with_suffix(".py").exists() or (path / "__init__.py").exists()


def imported_modules(path: Path) -> set[str]:
    """The course_lib modules ``path`` imports anywhere (``from a import b``: a.b if a module)."""
    own = module_name(path)
    package = own if path.name == "__init__.py" else own.rpartition(".")[0]
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[:len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([node.module] if node.module else []))
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        else:
            continue
        for name in names:
            while name.startswith("course_lib.") and not is_module(name):
                name = name.rpartition(".")[0]
            if name.startswith("course_lib.") and name != own:
                found.add(name)
    return found


def import_graph() -> dict[str, set[str]]:
    return {module_name(p): imported_modules(p) for p in PACKAGE.rglob("*.py")}


def room(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_room_has_a_level():
    rooms = {room(m) for m in import_graph()}
    assert rooms <= set(LEVEL), f"add these rooms to STACK: {sorted(rooms - set(LEVEL))}"


def test_no_import_points_up_the_stack():
    upward = sorted(f"{m} -> {t}" for m, targets in import_graph().items() for t in targets
                    if LEVEL.get(room(t), -1) > LEVEL.get(room(m), -1))
    assert not upward, "\n".join(upward)


def test_no_import_cycles():
    graph = import_graph()
    state: dict[str, int] = defaultdict(int)  # 0 new, 1 on the path, 2 done
    cycles = []

    def visit(module: str, path: list[str]) -> None:
        state[module] = 1
        for target in sorted(graph.get(module, ())):
            if state[target] == 1:
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif state[target] == 0:
                visit(target, path + [target])
        state[module] = 2

    for module in sorted(graph):
        if state[module] == 0:
            visit(module, [module])
    assert not cycles, "\n".join(cycles)
