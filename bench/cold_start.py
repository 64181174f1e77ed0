"""Cold start of the deployed package: ``import app`` from the unpacked zip, as Lambda's init does.

The package is built as ``make synth`` builds it (``infra/aws/package.py``), unpacked, and imported
in fresh processes with no site-packages (``python -S``: only the package and the standard library),
bytecode writing off (``/var/task`` is read-only) and Lambda's environment variables. The baseline
is the same package without its ``.pyc`` files, as ``chalice package`` ships it.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

RUNS = 7
TARGET_MS = 300.0
FUNCTIONS = {"API": "saring-dev-api", "worker (check_reports)": "saring-dev-check_reports"}


def _environment(function_name: str) -> dict[str, str]:
    return {
        "PATH": os.environ.get("PATH", ""),
        "AWS_LAMBDA_FUNCTION_NAME": function_name,
        "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
        "AWS_REGION": "ap-southeast-3",
        "AWS_ACCESS_KEY_ID": "bench",
        "AWS_SECRET_ACCESS_KEY": "bench",
        "SARING_STAGE": "dev",
        "POWERTOOLS_SERVICE_NAME": "saring",
        "PYDANTIC_DISABLE_PLUGINS": "__all__",
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _import_ms(task: Path, function_name: str) -> float:
    probe = (
        f"import sys; sys.path.insert(0, {str(task)!r}); import time; t = time.perf_counter(); "
        "import app; print((time.perf_counter() - t) * 1000)"
    )
    done = subprocess.run(
        [sys.executable, "-S", "-c", probe], env=_environment(function_name), capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip().splitlines()[-1])


def _median(task: Path, function_name: str) -> float:
    _import_ms(task, function_name)  # warms the file cache, as a deployed package sits on local disk
    return statistics.median(_import_ms(task, function_name) for _ in range(RUNS))


def measure() -> tuple[dict[str, tuple[float, float]], int, int]:
    """Per function: (median ms with .pyc, without); the zip's size and its unpacked size in bytes."""
    from infra.aws.package import package

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        config = {"manage_iam_role": False, "iam_role_arn": "arn:aws:iam::123456789012:role/bench"}
        zipped = package("dev", root / "out", config)
        task = root / "task"
        with zipfile.ZipFile(zipped) as archive:
            archive.extractall(task)
            unpacked = sum(info.file_size for info in archive.infolist())
        compiled = {name: _median(task, function) for name, function in FUNCTIONS.items()}
        for pyc in task.rglob("*.pyc"):
            pyc.unlink()
        plain = {name: _median(task, function) for name, function in FUNCTIONS.items()}
        return {name: (compiled[name], plain[name]) for name in FUNCTIONS}, zipped.stat().st_size, unpacked


def report() -> bool:
    results, size, unpacked = measure()
    print(f"Cold import of the deployment package, unpacked, fresh process, Lambda-like (median of {RUNS})")
    print(f"  package: {size / 2**20:.1f} MB zipped, {unpacked / 2**20:.1f} MB unpacked (Lambda allows 250 MB)")
    print(f"  {'function':<28} {'with .pyc ms':>13} {'without (baseline) ms':>22}")
    for name, (compiled, plain) in results.items():
        print(f"  {name:<28} {compiled:>13.1f} {plain:>22.1f}")
    met = all(compiled <= TARGET_MS for compiled, _ in results.values())
    print(f"  target: ≤ {TARGET_MS:.0f} ms each with .pyc → {'met' if met else 'NOT met'}")
    return met


if __name__ == "__main__":
    sys.exit(0 if report() else 1)
