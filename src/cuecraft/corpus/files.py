"""Finding corpus files on disk and recognising byte-identical duplicates."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from pathlib import Path

from cuecraft.errors import CuecraftError

MIDI_SUFFIXES = frozenset({".mid", ".midi"})


def find_files(paths: Iterable[str | Path], suffixes: frozenset[str]) -> list[Path]:
    """Files with one of `suffixes` (case-insensitive) among `paths`, searching folders recursively."""
    found: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            found.extend(p for p in sorted(path.rglob("*")) if p.is_file() and p.suffix.lower() in suffixes)
        elif path.is_file():
            found.append(path)
        else:
            raise CuecraftError(path, "no such file or folder")
    return found


def content_hash(path: Path) -> str:
    """SHA-1 of the file's bytes: equal for byte-identical copies under different names."""
    return hashlib.sha1(path.read_bytes()).hexdigest()


def unique_by_content(paths: Iterable[Path]) -> Iterator[Path]:
    """Yield each file whose content has not been seen before, in order."""
    seen: set[str] = set()
    for path in paths:
        digest = content_hash(path)
        if digest not in seen:
            seen.add(digest)
            yield path
