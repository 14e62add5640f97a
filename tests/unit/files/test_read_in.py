"""Reading a registry file on disk by its name under the registry (``sources.read_in``)."""

from __future__ import annotations

from pathlib import Path

from accessreg.files.sources import DirectorySource, read_in


def test_a_name_is_read_under_its_root_even_when_it_starts_with_a_slash(tmp_path: Path) -> None:
    root = tmp_path / "registry"
    outside = tmp_path / "outside.yaml"
    outside.write_bytes(b"outside")
    mirrored = root / str(outside).lstrip("/")
    mirrored.parent.mkdir(parents=True)
    mirrored.write_bytes(b"inside")

    assert read_in(root, str(outside)) == b"inside"
    assert DirectorySource(root).read(str(outside)) == b"inside"


def test_a_file_is_read_whole_past_one_read_of_the_system(tmp_path: Path) -> None:
    (tmp_path / "users").mkdir()
    data = bytes(range(256)) * 1024  # four reads of 64 KiB
    (tmp_path / "users" / "a.yaml").write_bytes(data)

    assert read_in(str(tmp_path), "users/a.yaml") == data
