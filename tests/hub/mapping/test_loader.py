"""Loading mapping files: the real ones load; problems of all files are gathered."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from hub.mapping import MappingFileError, MappingSpec, load_mapping, load_mappings

from .conftest import HUBSPOT_MAPPING, REPO, write_mapping


def test_every_problem_is_reported(tmp_path: Path) -> None:
    path = write_mapping(
        tmp_path,
        """
        system: Demo
        version: "1 beta"
        objects:
          companies:
            entity: organization
        """,
    )
    with pytest.raises(MappingFileError) as caught:
        load_mapping(path)
    assert [issue.field for issue in caught.value.issues] == ["system", "version", "objects.companies.updated_at"]
    assert [issue.line for issue in caught.value.issues] == [1, 2, 4]


def test_empty_file(tmp_path: Path) -> None:
    path = write_mapping(tmp_path, "# nothing yet\n")
    with pytest.raises(MappingFileError, match=rf"^{path}:1: the file is empty$"):
        load_mapping(path)


def test_hubspot_mapping_loads() -> None:
    spec = load_mapping(HUBSPOT_MAPPING)
    assert isinstance(spec, MappingSpec)
    assert spec.system == "hubspot"
    assert set(spec.objects) == {"companies", "contacts", "deals"}


def test_load_mappings_keys_by_system() -> None:
    specs = load_mappings(REPO / "mappings")
    assert specs["hubspot"] == load_mapping(HUBSPOT_MAPPING)


def test_load_mappings_rejects_two_files_for_one_system(tmp_path: Path) -> None:
    shutil.copy(HUBSPOT_MAPPING, tmp_path / "a.yaml")
    shutil.copy(HUBSPOT_MAPPING, tmp_path / "b.yml")
    line = HUBSPOT_MAPPING.read_text().splitlines().index("system: hubspot") + 1
    with pytest.raises(MappingFileError) as caught:
        load_mappings(tmp_path)
    first, second = tmp_path / "a.yaml", tmp_path / "b.yml"
    assert str(caught.value) == f"{second}:{line}: system: system 'hubspot' is already mapped by {first}"


def test_load_mappings_gathers_problems_of_all_files(tmp_path: Path) -> None:
    write_mapping(tmp_path, "system: one\nversion: 1\nobjects: {}\n", "one.yaml")
    write_mapping(tmp_path, "system: [\n", "two.yaml")
    with pytest.raises(MappingFileError) as caught:
        load_mappings(tmp_path)
    assert [Path(issue.path).name for issue in caught.value.issues] == ["one.yaml", "two.yaml"]


def test_load_mappings_needs_a_directory(tmp_path: Path) -> None:
    with pytest.raises(NotADirectoryError):
        load_mappings(tmp_path / "missing")
