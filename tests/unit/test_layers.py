"""The layer rules, as each package's docstring states them ("Never imports: …"), hold for every module."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[2] / "chalicelib"
LAYERS = ("domain", "store", "adapters", "services", "api", "events")
RULE_PREFIX = "Never imports:"


def forbidden_names(package: Path) -> set[str]:
    """What a layer's package docstring says it never imports (chalicelib layers or libraries)."""
    docstring = ast.get_docstring(ast.parse((package / "__init__.py").read_text())) or ""
    rules = [line for line in docstring.splitlines() if line.startswith(RULE_PREFIX)]
    assert len(rules) == 1, f"{package.name}/__init__.py states its rule in one '{RULE_PREFIX}' line"
    return {name.strip() for name in rules[0].removeprefix(RULE_PREFIX).split(",") if name.strip()}


def _imported(tree: ast.AST) -> list[tuple[int, str]]:
    found: list[tuple[int, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def _target(module: str) -> str:
    """The layer (or library) an import reaches: chalicelib.store.cases → store; boto3.session → boto3."""
    parts = module.split(".")
    return parts[1] if parts[0] == "chalicelib" and len(parts) > 1 else parts[0]


def violations(root: Path) -> list[str]:
    """Every import, in every layer under ``root``, of something its package's rule forbids."""
    found = []
    for layer in LAYERS:
        package = root / layer
        forbidden = forbidden_names(package)
        for path in sorted(package.rglob("*.py")):
            for line, module in _imported(ast.parse(path.read_text())):
                if _target(module) in forbidden:
                    found.append(f"{path.relative_to(root)}:{line} imports {module} ({layer} never imports it)")
    return found


def test_every_layer_states_its_rule() -> None:
    rules = {layer: forbidden_names(PACKAGE / layer) for layer in LAYERS}
    # The lines the review named, whatever else each package adds:
    assert {"store", "adapters", "api"} <= rules["domain"]
    assert "api" in rules["store"]
    assert "api" in rules["services"]
    assert "store" in rules["api"]
    assert "store" in rules["events"]


def test_no_module_imports_across_a_forbidden_line() -> None:
    assert violations(PACKAGE) == []


@pytest.mark.parametrize(
    ("layer", "planted"),
    [
        ("domain", "from chalicelib.store.cases import CaseStore"),
        ("domain", "import boto3"),
        ("api", "from chalicelib.store import stores"),
        ("events", "import chalicelib.store.reports"),
        ("store", "from chalicelib.api.problems import ApiProblem"),
    ],
)
def test_a_planted_forbidden_import_is_found(tmp_path: Path, layer: str, planted: str) -> None:
    for name in LAYERS:
        (tmp_path / name).mkdir()
        (tmp_path / name / "__init__.py").write_text((PACKAGE / name / "__init__.py").read_text())
    (tmp_path / layer / "planted.py").write_text(f'"""A module that breaks the rule."""\n\n{planted}\n')
    found = violations(tmp_path)
    assert len(found) == 1
    assert found[0].startswith(f"{layer}/planted.py:3 imports ")


def test_only_the_picture_worker_imports_the_picture_functions_code() -> None:
    """Pillow, pdqhash and chalicelib.pictures ship in the picture function alone (its own package)."""
    allowed = {PACKAGE / "services" / "picture_worker.py"}
    found = []
    for path in sorted(PACKAGE.rglob("*.py")):
        if path.is_relative_to(PACKAGE / "pictures") or path in allowed:
            continue
        for line, module in _imported(ast.parse(path.read_text())):
            if module.split(".")[0] in ("PIL", "pdqhash") or module.startswith("chalicelib.pictures"):
                found.append(f"{path.relative_to(PACKAGE)}:{line} imports {module}")
    assert found == []
