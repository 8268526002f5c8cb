"""Notation (MusicXML, ABC, Humdrum, RomanText) read through music21, with the one repair real files
need: a measure whose contents overrun its bar is laid at its bar's length, so the parts stay in step.

Several of music21's own Monteverdi madrigals write a silent voice's two whole rests one after the
other in a 4/4 bar; read as written, that part runs a bar late from there on, and a five-voice
texture turns into five unrelated lines.
"""

from __future__ import annotations

import warnings
from pathlib import Path

from cuecraft.model.events import Note


def parse_score(source: str | Path, format: str | None = None) -> object:  # noqa: A002 - music21's own name
    """A music21 score from a file path (or, with `format`, from text such as an ABC tune), its
    overrunning measures laid at their bar lengths (keep_parts_in_step). music21's exceptions pass through."""
    import music21

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        score = music21.converter.parse(str(source), format=format)
    keep_parts_in_step(score)
    return score


def keep_parts_in_step(score: object) -> None:
    """Move each part's measures to where their bars put them. A measure lasts its time signature's bar
    where its parts disagree around it (one part's overrun is cut back); where every part is shorter
    (a pickup), the longest of them; where every part is longer (a cadenza), the shortest."""
    streams = list(getattr(score, "parts", None) or [])
    parts = [list(stream.getElementsByClass("Measure")) for stream in streams]
    lengths = []  # per measure, by its place in the part
    for index in range(max(map(len, parts), default=0)):
        present = [measures[index] for measures in parts if index < len(measures)]
        spans, bar = [m.duration.quarterLength for m in present], present[0].barDuration.quarterLength
        lengths.append(bar if min(spans) <= bar <= max(spans) else max(spans) if max(spans) < bar else min(spans))
    for stream, measures in zip(streams, parts):
        position, moved = (measures[0].offset if measures else 0.0), False
        for measure, length in zip(measures, lengths):
            if measure.offset != position:
                stream.setElementOffset(measure, position)
                moved = True
            position += length
        if moved:
            stream.coreElementsChanged()


def score_notes(score: object) -> list[Note]:
    """Every pitch the score sounds, as notes in quarter notes from its start (a chord gives one note per pitch)."""
    return [Note(float(n.getOffsetInHierarchy(score)), float(n.quarterLength), p.midi)
            for n in score.recurse().notes for p in n.pitches if n.quarterLength > 0]  # type: ignore[attr-defined]  # fmt: skip
