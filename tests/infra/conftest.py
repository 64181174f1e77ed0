"""The AWS stack, synthesised once per session (offline: no credentials, no network)."""

from __future__ import annotations

import contextlib
import json
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest


@dataclass(frozen=True)
class Synthesised:
    template: dict[str, Any]
    template_path: Path
    package: Path
    stack: Any  # the SaringStack, for aws_cdk.assertions

    def resources(self, kind: str) -> dict[str, dict[str, Any]]:
        return {name: r for name, r in self.template["Resources"].items() if r["Type"] == kind}


@pytest.fixture(scope="session")
def synthesised(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Synthesised]:
    from infra.aws.__main__ import build

    out = tmp_path_factory.mktemp("cdk.out")
    with contextlib.chdir(out.parent):  # Chalice's construct writes its packages under the working directory
        app, stack = build("dev", out, mail_domain="saring.example")
        app.synth()  # cdk-nag's AWS Solutions checks run here: an unacknowledged finding raises
    template_path = out / f"{stack.stack_name}.template.json"
    # The app's package among the assets (the page's files and the deployment's CLI layer are others).
    [package] = [zipped for zipped in out.glob("asset.*.zip") if "app.py" in zipfile.ZipFile(zipped).namelist()]
    yield Synthesised(json.loads(template_path.read_text()), template_path, package, stack)
