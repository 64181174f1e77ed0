"""The Lambda deployment package, built offline, with compiled bytecode.

``chalice package`` writes the SAM template and a zip of the app, but it downloads the dependencies
again and ships no ``.pyc`` (≈300 ms more on every cold start). Here Chalice packages the app alone
(an empty requirements file), and this module adds the runtime dependencies from this environment
— the pinned ``requirements.txt``, installed by ``make`` for CPython 3.11 on Linux x86_64, which is
Lambda's ``python3.11`` on ``x86_64`` — then compiles every module (hash-based ``.pyc``, valid
whatever the file times in the zip) and writes the zip deterministically: the same sources give the
same bytes, so the CDK asset hash only changes when the code does.
"""

from __future__ import annotations

import compileall
import importlib.metadata
import os
import platform
import py_compile
import re
import shutil
import sys
import tempfile
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)
_REQUIREMENT = re.compile(r"^([A-Za-z0-9_.-]+)==")
# A dependency's own test suite and build-time parts: never imported at run time (numpy's: 18 MB)
_NOT_SHIPPED = re.compile(r"^numpy/(?:.+/)?tests/|^numpy/f2py/|^numpy/_core/include/")


def check_build_environment() -> None:
    """Refuse to build where the installed dependencies would not run on Lambda."""
    if sys.version_info[:2] != (3, 11) or sys.platform != "linux" or platform.machine() != "x86_64":
        raise SystemExit(
            "the package ships this environment's dependencies: build it with CPython 3.11 on Linux x86_64 "
            f"(this is {platform.python_implementation()} {platform.python_version()} on {sys.platform} "
            f"{platform.machine()})"
        )


def runtime_distributions(requirements: Path = ROOT / "requirements.txt") -> list[str]:
    """The distributions ``requirements.txt`` pins (it lists every one, what they pull in included)."""
    names = []
    for line in requirements.read_text().splitlines():
        found = _REQUIREMENT.match(line.strip())
        if found:
            names.append(found.group(1))
    return names


def _dependency_files(names: list[str]) -> Iterator[tuple[str, Path]]:
    """(path inside the package, file on disk) of each installed distribution's files."""
    for name in names:
        distribution = importlib.metadata.distribution(name)
        for packaged in distribution.files or []:
            relative = str(packaged)
            if relative.startswith("..") or "__pycache__" in relative or relative.endswith(".pyc"):
                continue  # console scripts outside site-packages; bytecode is compiled afresh
            if _NOT_SHIPPED.match(relative):
                continue
            yield relative, Path(str(distribution.locate_file(packaged)))


@contextmanager
def _app_only_project(stage_config: dict[str, Any]) -> Iterator[Path]:
    """A copy of the Chalice project whose requirements are empty: Chalice packages the app alone."""
    with tempfile.TemporaryDirectory() as folder:
        project = Path(folder)
        shutil.copytree(ROOT / ".chalice", project / ".chalice", ignore=shutil.ignore_patterns("deployments", "venv"))
        shutil.copy2(ROOT / "app.py", project / "app.py")
        shutil.copytree(ROOT / "chalicelib", project / "chalicelib", ignore=shutil.ignore_patterns("__pycache__"))
        (project / "requirements.txt").write_text("")
        yield project


def package(stage: str, output_dir: Path, stage_config: dict[str, Any]) -> Path:
    """Write ``sam.json`` and ``deployment.zip`` for ``stage`` into ``output_dir``; returns the zip."""
    from chalice import api

    check_build_environment()
    with _app_only_project(stage_config) as project:
        saved = dict(os.environ)
        try:
            # The app reads its settings at import; Chalice imports it to find the handlers.
            os.environ.setdefault("AWS_DEFAULT_REGION", "ap-southeast-3")
            api.package_app(
                project_dir=str(project), output_dir=str(output_dir), stage=stage, chalice_config=stage_config
            )
        finally:
            os.environ.clear()
            os.environ.update(saved)
    deployment = output_dir / "deployment.zip"
    with tempfile.TemporaryDirectory() as folder:
        tree = Path(folder)
        with zipfile.ZipFile(deployment) as app_zip:
            app_zip.extractall(tree)
        install_compiled(runtime_distributions(), tree)
        _write_zip(tree, deployment)
    return deployment


def install_compiled(distributions: list[str], tree: Path) -> None:
    """Copy these installed distributions into ``tree`` and compile everything in it to ``.pyc``.

    Hash-based bytecode: valid whatever the file times, so it survives the zip.
    """
    for relative, source in _dependency_files(distributions):
        target = tree / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
    compileall.compile_dir(tree, quiet=1, workers=0, invalidation_mode=py_compile.PycInvalidationMode.UNCHECKED_HASH)


def _write_zip(tree: Path, target: Path) -> None:
    """Every file of ``tree``, sorted, with fixed times and modes: the same tree gives the same bytes."""
    target.unlink(missing_ok=True)
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=6) as archive:
        for path in sorted(p for p in tree.rglob("*") if p.is_file()):
            info = zipfile.ZipInfo(str(path.relative_to(tree)), date_time=_FIXED_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
