"""The docs stay true to the code: the route table is the declarations', the README's links resolve."""

from __future__ import annotations

import re
from pathlib import Path

from chalicelib.api.routes import ROUTES, route_table
from chalicelib.version import VERSION

ROOT = Path(__file__).resolve().parents[2]
BEGIN, END = "<!-- routes:", "<!-- /routes -->"


def _generated_table(page: str) -> str:
    start = page.index(BEGIN)
    return page[page.index("\n", start) + 1 : page.index(END)]


def test_the_api_page_lists_every_declared_route_as_declared() -> None:
    page = (ROOT / "docs" / "api.md").read_text()
    assert _generated_table(page) == route_table(), (
        "run: python -m chalicelib.api.routes, and paste it into docs/api.md"
    )
    assert len(route_table().splitlines()) == len(ROUTES) + 2


def test_every_link_between_the_docs_resolves() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        for target in re.findall(r"\]\(([^)#:]+\.md)(?:#[^)]*)?\)", page.read_text()):
            assert (page.parent / target).is_file(), f"{page.name} links to {target}, which is not there"


def test_every_source_file_the_docs_name_is_there() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    for page in pages:
        for named in re.findall(r"`((?:chalicelib|infra|bench|tests)/[\w/.-]+\.py)`", page.read_text()):
            assert (ROOT / named).is_file(), f"{page.name} names {named}, which is not there"


def test_the_readme_points_a_newcomer_at_how_to_add_a_route() -> None:
    readme = (ROOT / "README.md").read_text()
    assert "docs/architecture.md#add-a-route" in readme
    assert "## Add a route" in (ROOT / "docs" / "architecture.md").read_text()


def test_the_package_version_is_the_code_version() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert f'version = "{VERSION}"' in pyproject


def test_the_settings_page_names_every_table() -> None:
    from chalicelib.store.tables import ALL_TABLES

    row = next(
        line for line in (ROOT / "docs" / "operations.md").read_text().splitlines() if "SARING_TABLE_PREFIX" in line
    )
    assert all(f"`{model.short_name}`" in row for model in ALL_TABLES), row
