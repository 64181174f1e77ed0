"""Cold start of the deployed package: Lambda's runtime importing the handler from the unpacked zip.

The package is built as ``make synth`` builds it (``infra/aws/package.py``) and unpacked. Each
sample is a fresh process with no site-packages (``python -S``): the package first on the path, then
Lambda's runtime interface client (``awslambdaric``, the bootstrap of Lambda's managed Python
runtimes, pinned in requirements-dev.txt) as ``/var/runtime`` holds it, Lambda's environment
variables, and bytecode writing off (``/var/task`` is read-only). The runtime is loaded first, then
the time is taken around its own handler import (``bootstrap._get_handler``): what Saring adds to a
cold start. Beside it: the same import in a bare interpreter (the modules Lambda's runtime already
holds, such as ``logging`` and ``json``, counted as Saring's), and the package without its ``.pyc``
files, as ``chalice package`` ships it (the baseline).
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
# name → (function name, handler as the SAM template names it)
FUNCTIONS = {
    "API": ("saring-dev-api", "app.app"),
    "worker (check_reports)": ("saring-dev-check_reports", "app.check_reports"),
}
LAMBDA_RUNTIME = ["awslambdaric", "simplejson", "snapshot-restore-py"]


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
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def _import_ms(task: Path, runtime: Path | None, function: tuple[str, str]) -> float:
    """One cold import of the handler in a fresh process; with ``runtime``, as Lambda's bootstrap does it."""
    name, handler = function
    if runtime is None:
        setup, statement = f"sys.path.insert(0, {str(task)!r})", f"import {handler.split('.')[0]}"
    else:
        setup = f"sys.path[:0] = [{str(task)!r}, {str(runtime)!r}]; from awslambdaric import bootstrap"
        statement = f"bootstrap._get_handler({handler!r})"
    probe = (
        f"import sys; {setup}; import time; t = time.perf_counter(); {statement}; "
        "print((time.perf_counter() - t) * 1000)"
    )
    done = subprocess.run(
        [sys.executable, "-S", "-c", probe], env=_environment(name), capture_output=True, text=True, check=True
    )
    return float(done.stdout.strip().splitlines()[-1])


def _median(task: Path, runtime: Path | None, function: tuple[str, str]) -> float:
    _import_ms(task, runtime, function)  # warms the file cache, as a deployed package sits on local disk
    return statistics.median(_import_ms(task, runtime, function) for _ in range(RUNS))


def measure() -> tuple[dict[str, tuple[float, float, float]], int, int]:
    """Per function: median ms (in Lambda's runtime, bare, bare without .pyc); zip size, unpacked size."""
    from infra.aws.package import install_compiled, package

    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        config = {"manage_iam_role": False, "iam_role_arn": "arn:aws:iam::123456789012:role/bench"}
        zipped = package("dev", root / "out", config)
        task, runtime = root / "task", root / "runtime"
        with zipfile.ZipFile(zipped) as archive:
            archive.extractall(task)
            unpacked = sum(info.file_size for info in archive.infolist())
        install_compiled(LAMBDA_RUNTIME, runtime)
        in_runtime = {name: _median(task, runtime, function) for name, function in FUNCTIONS.items()}
        bare = {name: _median(task, None, function) for name, function in FUNCTIONS.items()}
        for pyc in task.rglob("*.pyc"):
            pyc.unlink()
        plain = {name: _median(task, None, function) for name, function in FUNCTIONS.items()}
        results = {name: (in_runtime[name], bare[name], plain[name]) for name in FUNCTIONS}
        return results, zipped.stat().st_size, unpacked


def report() -> bool:
    results, size, unpacked = measure()
    print(f"Cold import of the deployment package, unpacked, fresh process each (median of {RUNS})")
    print(f"  package: {size / 2**20:.1f} MB zipped, {unpacked / 2**20:.1f} MB unpacked (Lambda allows 250 MB)")
    print(f"  {'function':<24} {'Lambda runtime, .pyc':>21} {'bare python, .pyc':>18} {'without .pyc (baseline)':>24}")
    for name, (in_runtime, bare, plain) in results.items():
        print(f"  {name:<24} {in_runtime:>18.1f} ms {bare:>15.1f} ms {plain:>21.1f} ms")
    met = all(in_runtime <= TARGET_MS for in_runtime, _, _ in results.values())
    print(f"  target: ≤ {TARGET_MS:.0f} ms each in Lambda's runtime with .pyc → {'met' if met else 'NOT met'}")
    return met


if __name__ == "__main__":
    sys.exit(0 if report() else 1)
