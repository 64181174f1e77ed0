"""Start-up: pydantic's plugin loader is replaced, so a cold start never imports importlib.metadata."""

import inspect
import subprocess
import sys
import sysconfig
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A fresh interpreter without site (whose .pth files may import importlib.metadata themselves):
# only the project, its installed packages and the standard library.
PROBE = """
import sys
sys.path[:0] = {paths!r}
{before}
from pydantic import BaseModel, field_validator

class Report(BaseModel):
    text: str

    @field_validator("text")
    @classmethod
    def stripped(cls, value: str) -> str:
        return value.strip()

assert Report(text=" hoaks ").text == "hoaks"
print("importlib.metadata" in sys.modules)
"""


def _imports_metadata(before: str) -> bool:
    paths = [str(ROOT), sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]]
    done = subprocess.run(
        [sys.executable, "-S", "-c", PROBE.format(paths=paths, before=before)],
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip() == "True"


def test_pydantic_alone_imports_package_metadata_to_find_plugins() -> None:
    # Given pydantic without Saring's package: the loader this replacement exists to skip
    # When a model is built and used / Then importlib.metadata was imported (the check can fail)
    assert _imports_metadata(before="")


def test_after_importing_chalicelib_models_work_without_package_metadata() -> None:
    # Given Saring's package imported first, as app.py does
    # When a model with a validator is built and used
    # Then it validates, and importlib.metadata was never imported
    assert not _imports_metadata(before="import chalicelib")


def test_the_replacement_matches_the_loader_pydantic_calls() -> None:
    # Given pydantic's own loader and the module that calls it, read from their source
    import pydantic.plugin

    import chalicelib  # noqa: F401  (installs the replacement)

    folder = Path(pydantic.plugin.__file__).parent
    loader = (folder / "_loader.py").read_text(encoding="utf-8")
    caller = (folder / "_schema_validator.py").read_text(encoding="utf-8")
    # Then pydantic still asks that module for get_plugins() without arguments (an upgrade that
    # moves or changes it fails here), and the replacement answers "no plugins"
    assert "from ._loader import get_plugins" in caller
    assert "def get_plugins() -> Iterable[PydanticPluginProtocol]:" in loader
    replaced = sys.modules["pydantic.plugin._loader"]
    assert inspect.signature(replaced.get_plugins).parameters == {}
    assert list(replaced.get_plugins()) == []


def test_the_cold_start_loads_no_aws_sdk_no_store_and_no_models() -> None:
    """The lazy-import rule (docs/architecture.md): importing the app loads what every request needs only."""
    probe = (
        "from infra.local.harness import use_test_environment; use_test_environment()\n"
        "import sys, app\n"
        "print(' '.join(sorted(sys.modules)))\n"
    )
    root = Path(__file__).resolve().parents[2]
    loaded = set(
        subprocess.run(
            [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True
        ).stdout.split()
    )
    assert "app" in loaded
    heavy = {
        "boto3",
        "pynamodb",
        "chalicelib.domain.models",
        "chalicelib.store",
        "chalicelib.adapters.aws",
        "chalicelib.services.reports",
        # the picture function's own dependencies: never the API's
        "PIL",
        "pdqhash",
        "chalicelib.pictures",
    }
    assert heavy.isdisjoint(loaded), heavy & loaded
