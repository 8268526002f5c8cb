"""Ingest: find files, skip known content, analyse in parallel (local processes or a dask cluster),
and write results to the catalog from this process alone (single writer)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from cuecraft.corpus.audio import AUDIO_SUFFIXES, analyse_audio_file
from cuecraft.corpus.catalog import Catalog
from cuecraft.corpus.features import PieceFeatures
from cuecraft.corpus.files import content_hash, find_files
from cuecraft.corpus.symbolic import MIDI_SUFFIXES, NOTATION_SUFFIXES, analyse_symbolic_file
from cuecraft.errors import CuecraftError
from cuecraft.executors import run_all

CORPUS_SUFFIXES = MIDI_SUFFIXES | NOTATION_SUFFIXES | AUDIO_SUFFIXES


@dataclass
class IngestReport:
    added: int = 0
    duplicates: int = 0
    labelled: int = 0
    failed: list[str] = field(default_factory=list)  # one line per file: "PATH: problem"


def analyse_file(path: str) -> tuple[str, str | None, str | None]:
    """Worker task: (path, features as JSON, None) or (path, None, one-line problem). Never raises."""
    try:
        suffix = Path(path).suffix.lower()
        features = analyse_audio_file(path) if suffix in AUDIO_SUFFIXES else analyse_symbolic_file(path)
        return path, features.model_dump_json(), None
    except CuecraftError as exc:
        return path, None, str(exc)
    except Exception as exc:  # a worker must report, not die: any analyser failure is this file's problem
        return path, None, f"{path}: analysis failed ({exc.__class__.__name__}: {exc})"


def ingest(
    paths: Iterable[str | Path],
    catalog: Catalog,
    source: str = "user",
    labels: dict[str, tuple[float, float]] | None = None,
    workers: int = min(2, os.cpu_count() or 1),
    scheduler: str | None = None,
    on_progress: Callable[[int, int], None] | None = None,
) -> IngestReport:
    """Add every corpus file under `paths` whose content the catalog does not hold yet.

    `labels` maps file stems to (valence, arousal); a duplicate whose stem is labelled lends its
    label to the piece already stored, so labelled copies of unlabelled pieces are not lost.
    """
    labels = labels or {}
    report = IngestReport()
    todo: dict[str, tuple[Path, str]] = {}
    pending: set[str] = set()
    label_of: dict[str, tuple[float, float]] = {}  # by content: any labelled copy labels the piece
    for path in find_files(paths, CORPUS_SUFFIXES):
        digest = content_hash(path)
        if path.stem in labels:
            label_of.setdefault(digest, labels[path.stem])
        existing = catalog.piece_id(digest)
        if existing is not None or digest in pending:
            report.duplicates += 1
            if existing is not None and path.stem in labels:
                catalog.set_emotion(existing, *labels[path.stem])
                report.labelled += 1
            continue
        pending.add(digest)
        todo[str(path)] = (path, digest)
    results = run_all(analyse_file, list(todo), workers, scheduler)
    for done, (name, features_json, problem) in enumerate(results, 1):
        path, digest = todo[name]
        if problem:
            report.failed.append(problem)
        elif catalog.piece_id(digest) is None:
            emotion = label_of.get(digest)
            catalog.add(
                sha1=digest, path=str(path.resolve()), title=path.stem, fmt=path.suffix.lower().lstrip("."),
                source=source, features=PieceFeatures.model_validate_json(features_json), emotion=emotion,
            )  # fmt: skip
            report.added += 1
            report.labelled += emotion is not None
        if on_progress:
            on_progress(done, len(todo))
    return report
