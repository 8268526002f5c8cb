"""The bundled corpora, each ingestible with one call: VGMIDI (with emotion labels) and music21's corpus."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cuecraft.corpus.catalog import Catalog
from cuecraft.corpus.ingest import IngestReport, ingest
from cuecraft.corpus.labels import read_vgmidi_labels
from cuecraft.errors import CuecraftError

Progress = Callable[[int, int], None] | None


def ingest_vgmidi(root: str | Path, catalog: Catalog, workers: int = 2, scheduler: str | None = None,
                  on_progress: Progress = None) -> IngestReport:  # fmt: skip
    """Ingest VGMIDI: labelled pieces first (with valence/arousal), then the unlabelled sets."""
    root = Path(root)
    labels_csv = root / "vgmidi_labelled.csv"
    if not labels_csv.is_file():
        raise CuecraftError(root, "not a VGMIDI folder (no vgmidi_labelled.csv)")
    labels = read_vgmidi_labels(labels_csv)
    folders = [root / name for name in ("labelled_midi", "unlabelled_midi", "v1_unlabelled") if (root / name).is_dir()]
    return ingest(folders, catalog, "vgmidi", labels, workers, scheduler, on_progress)


def music21_corpus_paths(composer: str | None = None, limit: int | None = None) -> list[Path]:
    """Files of music21's bundled corpus (all, or one composer's), sorted, optionally the first `limit`."""
    from music21 import corpus

    paths = sorted(corpus.getComposer(composer) if composer else corpus.getPaths())
    if composer and not paths:
        raise CuecraftError(composer, "no such composer in music21's corpus")
    return [Path(p) for p in paths[:limit]]


def ingest_music21(catalog: Catalog, composer: str | None = None, limit: int | None = None, workers: int = 2,
                   scheduler: str | None = None, on_progress: Progress = None) -> IngestReport:  # fmt: skip
    """Ingest music21's corpus (MusicXML, ABC, Humdrum… through music21) under source 'music21'."""
    return ingest(music21_corpus_paths(composer, limit), catalog, "music21", None, workers, scheduler, on_progress)
