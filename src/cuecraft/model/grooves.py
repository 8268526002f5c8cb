"""The rhythm section's grooves learned from soundtracks: drum-kit bars (corpus.drums), bass,
accompaniment and timpani figures (corpus.figures) that open phrases, with the bars played after them
(model.phrase_patterns), and each kit class's accent (its velocity against its part's).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from cuecraft.atomic import write_text_atomic
from cuecraft.corpus.figures import FigurePart
from cuecraft.corpus.drums import DRUM_CLASSES, DrumPart, hits
from cuecraft.model.phrase_patterns import PhrasePatterns

DEFAULT_GROOVES = Path(__file__).parent / "assets" / "grooves.json"
FORMAT = "cuecraft-grooves/5"
FIGURES = ("bass", "accompaniment", "timpani")  # the pitched parts learned as figures


@dataclass(frozen=True)
class GrooveModel:
    drums: PhrasePatterns  # bar patterns: a step mask per class of DRUM_CLASSES
    bass: PhrasePatterns  # bar figures: (step, length, semitones above the chord's root) notes
    accompaniment: PhrasePatterns  # bar figures, chords and all
    timpani: PhrasePatterns  # bar figures
    velocity_offsets: tuple[float, ...]  # per kit class: its mean, over the parts playing it, of its median velocity less its part's

    @classmethod
    def fit(cls, parts: Iterable[tuple[DrumPart | None, FigurePart | None, FigurePart | None, FigurePart | None]]) -> GrooveModel:
        """From each file's drum part, bass line, accompaniment and timpani (any may be None)."""
        columns: list[list] = [[], [], [], []]
        for file_parts in parts:
            for column, part in zip(columns, file_parts):
                column += [part] if part is not None else []
        drums, *figures = columns
        played = np.array([d.velocity_offsets for d in drums], float).reshape(-1, len(DRUM_CLASSES))
        heard = ~np.isnan(played)
        offsets = tuple(round(float(np.nansum(played[:, c]) / max(1, heard[:, c].sum())), 1) for c in range(len(DRUM_CLASSES)))
        return cls(PhrasePatterns.fit(drums, hits), *(PhrasePatterns.fit(f, len) for f in figures), offsets)

    def save(self, path: str | Path) -> None:
        payload = {"format": FORMAT, "classes": list(DRUM_CLASSES), "velocity_offsets": self.velocity_offsets,
                   "drums": self.drums.to_json(), **{name: getattr(self, name).to_json() for name in FIGURES}}  # fmt: skip
        write_text_atomic(Path(path), json.dumps(payload, separators=(",", ":")))

    @classmethod
    def load(cls, path: str | Path = DEFAULT_GROOVES) -> GrooveModel:
        payload = json.loads(Path(path).read_text())
        if payload.get("format") != FORMAT or payload.get("classes") != list(DRUM_CLASSES):
            raise ValueError(f"{path}: not a {FORMAT} groove model with this version's drum classes")
        return cls(*(PhrasePatterns.from_json(payload[part]) for part in ("drums", *FIGURES)), tuple(payload["velocity_offsets"]))


@cache
def shipped_grooves() -> GrooveModel:
    """The groove model shipped in the package (read once per process)."""
    return GrooveModel.load(DEFAULT_GROOVES)
