"""Drum grooves learned from soundtrack drum parts: the bar patterns that open phrases, how dense
they are, the tempo they are played at, and the bars drummers play after each through the phrase
(the groove again, a variation, and at the phrase's end a fill).

A phrase is PHRASE_BARS bars counted from a part's first bar with drums; its groove is its first bar.
The model counts the grooves of each meter and, per groove, the bars played at each later place in
its phrases. For a cue it draws, by how often soundtracks play them, among the grooves played near the
cue's tempo whose density (strokes per bar) stands at the quantile the cue's intensity asks for: a
calm cue gets sparse grooves, a chase the busiest.
"""

from __future__ import annotations

import json
import math
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import numpy as np

from cuecraft.atomic import write_text_atomic
from cuecraft.corpus.drums import DRUM_CLASSES, DrumPart, Pattern, hits

DEFAULT_GROOVES = Path(__file__).parent / "assets" / "grooves.json"
FORMAT = "cuecraft-grooves/2"
PHRASE_BARS = 4
MIN_PARTS = 3  # a groove opening phrases in fewer drum parts than this is one file's habit: not kept
TEMPO_RATIO = 1.35  # a groove played within this factor of the cue's tempo is near it
MIN_NEAR = 20  # with fewer grooves near the tempo, the meter's grooves are all candidates
QUANTILE_SPAN = 0.1  # how far a candidate's density quantile may lie from the intensity (widened to MIN_CHOICES)
MIN_CHOICES = 5


@dataclass(frozen=True)
class Groove:
    """A bar pattern that opens phrases, how many it opened, the geometric mean of their tempi, and
    for each later bar of the phrase the bars played there with their counts."""

    pattern: Pattern
    count: int
    tempo: float
    follows: tuple[tuple[tuple[Pattern, int], ...], ...]  # PHRASE_BARS - 1 places


@dataclass(frozen=True)
class GrooveModel:
    grooves: dict[int, list[Groove]]  # by steps per bar, commonest first
    velocity_offsets: tuple[float, ...]  # per class of DRUM_CLASSES: its mean, over the parts playing it, of its median velocity less its part's
    parts: int  # drum parts learned from

    @classmethod
    def fit(cls, parts: Iterable[DrumPart]) -> GrooveModel:
        counts: Counter[tuple[int, Pattern]] = Counter()
        log_tempo: defaultdict[tuple[int, Pattern], float] = defaultdict(float)
        follows: defaultdict[tuple[int, Pattern], list[Counter[Pattern]]] = defaultdict(lambda: [Counter() for _ in range(PHRASE_BARS - 1)])
        players: defaultdict[tuple[int, Pattern], set[int]] = defaultdict(set)
        offsets, n_parts = [], 0
        for n_parts, part in enumerate(parts, 1):
            offsets.append(part.velocity_offsets)
            for start in range(0, len(part.bars) - PHRASE_BARS + 1, PHRASE_BARS):
                groove, *later = part.bars[start : start + PHRASE_BARS]
                if not hits(groove):
                    continue
                key = (part.steps, groove)
                counts[key] += 1
                players[key].add(n_parts)
                log_tempo[key] += math.log(max(part.tempo, 1.0))
                for place, bar in zip(follows[key], later):
                    place[bar] += 1
        grooves: dict[int, list[Groove]] = defaultdict(list)
        for (steps, pattern), count in counts.most_common():
            key = (steps, pattern)
            if len(players[key]) >= MIN_PARTS:
                grooves[steps].append(Groove(pattern, count, round(math.exp(log_tempo[key] / count), 1),
                                              tuple(tuple(place.most_common()) for place in follows[key])))  # fmt: skip
        played = np.array(offsets, float).reshape(-1, len(DRUM_CLASSES))
        heard = ~np.isnan(played)
        mean_offsets = tuple(round(float(np.nansum(played[:, c]) / max(1, heard[:, c].sum())), 1) for c in range(len(DRUM_CLASSES)))
        return cls(dict(grooves), mean_offsets, n_parts)

    def choose(self, steps: int, intensity: float, tempo: float, rng: np.random.Generator) -> Groove:
        """A groove for a bar of `steps` sixteenths (a meter the model lacks takes the 4/4 grooves, cut
        to length) near `tempo`, its density at the `intensity` (0..1) quantile."""
        if steps in self.grooves:
            candidates = self.grooves[steps]
        else:
            candidates = [_cut(g, steps) for g in self.grooves[4 * 4]]
        near = [g for g in candidates if 1 / TEMPO_RATIO <= g.tempo / tempo <= TEMPO_RATIO]
        pool = near if len(near) >= MIN_NEAR else candidates
        density = np.array([hits(g.pattern) for g in pool], float)
        weight = np.array([g.count for g in pool], float)
        order = np.argsort(density, kind="stable")
        quantile = np.empty(len(pool))
        quantile[order] = (np.cumsum(weight[order]) - weight[order] / 2) / weight.sum()  # mid-rank, by count
        distance = np.abs(quantile - float(np.clip(intensity, 0.0, 1.0)))
        span = max(QUANTILE_SPAN, float(np.sort(distance)[min(MIN_CHOICES, len(pool)) - 1]))
        chosen = np.flatnonzero(distance <= span)
        return pool[int(rng.choice(chosen, p=weight[chosen] / weight[chosen].sum()))]

    def bar_at(self, groove: Groove, place: int, rng: np.random.Generator) -> Pattern:
        """The bar at `place` (0 .. PHRASE_BARS - 1) of a phrase of `groove`: the groove itself first, then
        one of the bars soundtracks play there after it, by their counts."""
        if place == 0:
            return groove.pattern
        choices = groove.follows[place - 1]
        counts = np.array([count for _, count in choices], float)
        return choices[int(rng.choice(len(counts), p=counts / counts.sum()))][0]

    def save(self, path: str | Path) -> None:
        payload = {"format": FORMAT, "classes": list(DRUM_CLASSES), "parts": self.parts, "velocity_offsets": self.velocity_offsets,
                   "grooves": {str(steps): [{"pattern": g.pattern, "count": g.count, "tempo": g.tempo,
                                             "follows": [[[list(p), c] for p, c in place] for place in g.follows]} for g in grooves]
                               for steps, grooves in self.grooves.items()}}  # fmt: skip
        write_text_atomic(Path(path), json.dumps(payload, separators=(",", ":")))

    @classmethod
    def load(cls, path: str | Path = DEFAULT_GROOVES) -> GrooveModel:
        payload = json.loads(Path(path).read_text())
        if payload.get("format") != FORMAT or payload.get("classes") != list(DRUM_CLASSES):
            raise ValueError(f"{path}: not a {FORMAT} groove model with this version's drum classes")
        grooves = {int(steps): [Groove(tuple(g["pattern"]), g["count"], g["tempo"],
                                       tuple(tuple((tuple(p), c) for p, c in place) for place in g["follows"]))
                                for g in entries] for steps, entries in payload["grooves"].items()}  # fmt: skip
        return cls(grooves, tuple(payload["velocity_offsets"]), payload["parts"])


def _cut(groove: Groove, steps: int) -> Groove:
    """A 4/4 groove cut to the first `steps` sixteenths of the bar."""
    mask = (1 << steps) - 1
    cut = lambda pattern: tuple(m & mask for m in pattern)  # noqa: E731
    return Groove(cut(groove.pattern), groove.count, groove.tempo, tuple(tuple((cut(p), c) for p, c in place) for place in groove.follows))


@cache
def shipped_grooves() -> GrooveModel:
    """The groove model shipped in the package (read once per process)."""
    return GrooveModel.load(DEFAULT_GROOVES)
