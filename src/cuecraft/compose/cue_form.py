"""A cue's form over time: the intensity of each section (one per scene it spans: intro, build, peak,
release) and the lines spoken over it, under which the arrangement thins (orchestration) and the
players drop back (expression). Given in seconds by the spotting, read in beats by the composer."""

from __future__ import annotations

import bisect
from dataclasses import dataclass

from cuecraft.compose.tempo_map import TempoMap

UNDER_LINES_DROP = 12  # CC11 units the players drop back while someone speaks


@dataclass(frozen=True)
class CueForm:
    """Sections as (start, intensity 0..1) and lines as (start, end), in beats from the cue's start."""

    sections: tuple[tuple[float, float], ...] = ()
    lines: tuple[tuple[float, float], ...] = ()

    @classmethod
    def from_seconds(cls, sections: list[tuple[float, float]], lines: list[tuple[float, float]], tempo_map: TempoMap) -> CueForm:
        return cls(tuple(sorted((tempo_map.beat_at(max(0.0, s)), i) for s, i in sections)),
                   tuple((tempo_map.beat_at(max(0.0, a)), tempo_map.beat_at(b)) for a, b in lines if b > a))  # fmt: skip

    def intensity_at(self, beat: float, default: float) -> float:
        """The intensity of the section sounding at `beat` (`default` where the form has no sections)."""
        starts = [s for s, _ in self.sections]
        i = bisect.bisect_right(starts, beat + 1e-9) - 1
        return self.sections[max(0, i)][1] if self.sections else default

    def peak(self, default: float) -> float:
        return max((i for _, i in self.sections), default=default)

    def speaking(self, beat: float) -> bool:
        return any(a <= beat < b for a, b in self.lines)
