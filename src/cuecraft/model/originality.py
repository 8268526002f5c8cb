"""Originality: does a take copy the music its model learned from?

When the model is trained, every training piece's melody (its skyline) is indexed as n-grams of
NGRAM notes, each note an interval and an inter-onset time on a 16th grid: transposition-invariant,
tempo-invariant, exact (packed into one 64-bit key, no hash collisions). A take's melody is looked up:
its longest run of consecutive n-grams shared with one training piece is the longest passage it
shares (in notes and bars), and the share of its n-grams found anywhere says how common its figures
are. The same is measured for real pieces held out of training against the index, so a take is
flagged only when it shares more than most real music from unseen games does (the index's threshold).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

import numpy as np

from cuecraft.atomic import atomic_path
from cuecraft.errors import CuecraftError
from cuecraft.model.events import Note
from cuecraft.model.music_measures import melody_notes
from cuecraft.project import OriginalityReport

NGRAM = 6  # notes per indexed figure (five intervals with their rhythm)
MAX_INTERVAL, MAX_IOI = 24, 31  # intervals clamped to two octaves, gaps to under two bars of 16ths
BITS = 11  # one note: interval (6 bits) and gap (5 bits)
SHIPPED_INDEX = Path(__file__).parent / "assets" / "originality.npz"
FORMAT = "cuecraft-originality/1"
# Flag beyond what three in four held-out real pieces share with the corpus. Higher percentiles measure
# covers, not chance: held-out games include new arrangements of tunes from games in the corpus.
THRESHOLD_PERCENTILE = 75
Drawn = TypeVar("Drawn")


def figure_keys(notes: Sequence[Note]) -> np.ndarray:
    """The n-gram keys of a melody's figures, in order (one per starting note)."""
    line = melody_notes(notes)
    if len(line) < NGRAM + 1:
        return np.zeros(0, dtype=np.uint64)
    onsets = np.array([round(n.onset * 4) for n in line])
    pitches = np.array([n.pitch for n in line])
    intervals = np.clip(np.diff(pitches), -MAX_INTERVAL, MAX_INTERVAL) + MAX_INTERVAL
    gaps = np.clip(np.diff(onsets), 0, MAX_IOI)
    codes = (intervals.astype(np.uint64) << np.uint64(5)) | gaps.astype(np.uint64)
    keys = np.zeros(len(codes) - NGRAM + 2, dtype=np.uint64)
    for offset in range(NGRAM - 1):
        keys = (keys << np.uint64(BITS)) | codes[offset : offset + len(keys)]
    return keys


@dataclass
class OriginalityIndex:
    keys: np.ndarray  # sorted uint64 n-gram keys, one row per (key, piece)
    pieces: np.ndarray  # int32 piece number of each row
    titles: list[str]
    threshold_notes: int  # a take sharing a longer passage than this is flagged
    baseline: dict[str, float]  # longest shared passage of held-out real pieces: median, p90, p99, max

    @classmethod
    def build(cls, pieces: Iterable[tuple[str, Sequence[Note]]], held_out: Iterable[Sequence[Note]]) -> OriginalityIndex:
        """Index (title, notes) training pieces; calibrate the threshold on held-out real pieces."""
        all_keys, all_pieces, titles = [], [], []
        for number, (title, notes) in enumerate(pieces):
            keys = np.unique(figure_keys(notes))
            all_keys.append(keys)
            all_pieces.append(np.full(len(keys), number, dtype=np.int32))
            titles.append(title)
        keys, owners = np.concatenate(all_keys), np.concatenate(all_pieces)
        order = np.argsort(keys, kind="stable")
        index = cls(keys[order], owners[order], titles, threshold_notes=0, baseline={})
        longest = np.array([index.longest_shared(notes)[0] for notes in held_out] or [0])
        index.baseline = {"pieces": float(len(longest)), "max": float(longest.max()),
                          **{f"p{q}": float(np.percentile(longest, q)) for q in (50, 75, 90, 99)}}  # fmt: skip
        index.threshold_notes = int(np.ceil(np.percentile(longest, THRESHOLD_PERCENTILE)))
        return index

    def owners_of(self, key: np.uint64) -> np.ndarray:
        lo, hi = np.searchsorted(self.keys, key, "left"), np.searchsorted(self.keys, key, "right")
        return self.pieces[lo:hi]

    def longest_shared(self, notes: Sequence[Note]) -> tuple[int, int | None, float, tuple[float, float]]:
        """(notes in the longest passage shared with one piece, that piece's number, share of the
        melody's figures found in the corpus, the passage's (start, end) in beats)."""
        keys = figure_keys(notes)
        if not len(keys):
            return 0, None, 0.0, (0.0, 0.0)
        line = melody_notes(notes)
        runs: dict[int, int] = {}
        best, best_piece, best_end, found = 0, None, 0, 0
        for i, key in enumerate(keys):
            owners = self.owners_of(key)
            found += bool(len(owners))
            runs = {int(p): runs.get(int(p), 0) + 1 for p in owners}
            for piece, run in runs.items():
                if run > best:
                    best, best_piece, best_end = run, piece, i
        length = best + NGRAM - 1 if best else 0
        span = (line[best_end - best + 1].onset, line[best_end + NGRAM - 1].onset) if best else (0.0, 0.0)
        return length, best_piece, found / len(keys), span

    def report(self, notes: Sequence[Note], beats_per_bar: int = 4) -> OriginalityReport:
        """How much of `notes` (a take or a theme) its model's training music already holds."""
        length, piece, share, (start, end) = self.longest_shared(notes)
        return OriginalityReport(
            longest_notes=length, longest_bars=round((end - start) / beats_per_bar, 2) if length else 0.0,
            source=self.titles[piece] if piece is not None else None, shared_figures=round(share, 3),
            threshold_notes=self.threshold_notes, flagged=length > self.threshold_notes,
        )  # fmt: skip

    def save(self, path: str | Path) -> None:
        with atomic_path(path) as tmp:
            np.savez_compressed(tmp, format=np.array(FORMAT), keys=self.keys, pieces=self.pieces,
                                titles=np.array(self.titles), threshold=np.array(self.threshold_notes),
                                baseline_names=np.array(list(self.baseline)), baseline=np.array(list(self.baseline.values())))  # fmt: skip

    @classmethod
    def load(cls, path: str | Path = SHIPPED_INDEX) -> OriginalityIndex:
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as data:
                if str(data["format"]) != FORMAT:
                    raise ValueError("not a cuecraft originality index")
                baseline = dict(zip((str(n) for n in data["baseline_names"]), (float(v) for v in data["baseline"])))
                return cls(data["keys"], data["pieces"], [str(t) for t in data["titles"]], int(data["threshold"]), baseline)
        except (OSError, ValueError, KeyError) as exc:
            raise CuecraftError(path, f"unreadable originality index ({exc.__class__.__name__}: {exc})") from None


@functools.lru_cache(maxsize=1)
def shipped_index() -> OriginalityIndex:
    """The index of the shipped transformer's training corpus (read once per process)."""
    return OriginalityIndex.load(SHIPPED_INDEX)


def first_original(draw: Callable[[int], Drawn], report_of: Callable[[Drawn], OriginalityReport],
                   redraws: int) -> tuple[Drawn, OriginalityReport]:  # fmt: skip
    """`draw(0)`, `draw(1)`, … until one is not flagged or `redraws` more have been tried (the last is
    kept then); its report lists every draw it replaced, so a redraw is never silent."""
    replaced: list[str] = []
    attempt = 0
    while True:
        drawn = draw(attempt)
        report = report_of(drawn)
        if not report.flagged or attempt == redraws:
            return drawn, report.model_copy(update={"redrawn": replaced})
        replaced.append(f"draw {attempt + 1} shared {report.longest_notes} notes ({report.longest_bars:g} bars) with {report.source}")
        attempt += 1
