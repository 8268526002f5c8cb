"""Bar patterns that open phrases, learned from parts written as bars (a drum kit's strokes, a bass
line's figures): how often each opens a phrase, how dense it is, the tempo it is played at, and the
bars players go on with after it (the pattern again, a variation, a fill at the phrase's end).

A phrase is PHRASE_BARS bars counted from a part's first bar; its pattern is its first bar. For a cue
a pattern is drawn, by how often soundtracks play it, among those played near the cue's tempo whose
density (strokes or notes per bar) stands at the quantile the cue's intensity asks for: a calm cue
gets sparse patterns, a chase the busiest.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

import numpy as np

PHRASE_BARS = 4
PERIOD_PHRASES = 2  # phrases in a period, whose later bars a cue draws afresh: eight bars
MIN_PARTS = 3  # a pattern opening phrases in fewer parts than this is one file's habit: not kept
TEMPO_RATIO = 1.35  # a pattern played within this factor of the cue's tempo is near it
MIN_NEAR = 20  # with fewer patterns near the tempo, the meter's patterns are all candidates
QUANTILE_SPAN = 0.1  # how far a candidate's density quantile may lie from the intensity (widened to MIN_CHOICES)
MIN_CHOICES = 5


class BarPart(Protocol):
    """A part as bars: `bars` (hashable patterns, empty ones falsy), `steps` (sixteenths a bar), `tempo`."""

    @property
    def bars(self) -> Sequence[Hashable]: ...

    @property
    def steps(self) -> int: ...

    @property
    def tempo(self) -> float: ...


@dataclass(frozen=True)
class Opening:
    """A bar pattern that opens phrases: how many it opened, its density, the geometric mean of their
    tempi, and for each later bar of the phrase the bars played there with their counts."""

    pattern: Any
    count: int
    density: int
    tempo: float
    follows: tuple[tuple[tuple[Any, int], ...], ...]  # PHRASE_BARS - 1 places


@dataclass(frozen=True)
class PhrasePatterns:
    openings: dict[int, list[Opening]]  # by steps per bar, commonest first
    parts: int  # parts learned from

    @classmethod
    def fit(cls, parts: Iterable[BarPart], density: Callable[[Any], int]) -> PhrasePatterns:
        """Count the openings of the parts' phrases (`density`: a bar's strokes or notes)."""
        counts: Counter[tuple[int, Any]] = Counter()
        log_tempo: defaultdict[tuple[int, Any], float] = defaultdict(float)
        follows: defaultdict[tuple[int, Any], list[Counter]] = defaultdict(lambda: [Counter() for _ in range(PHRASE_BARS - 1)])
        players: defaultdict[tuple[int, Any], set[int]] = defaultdict(set)
        n_parts = 0
        for n_parts, part in enumerate(parts, 1):
            for start in range(0, len(part.bars) - PHRASE_BARS + 1, PHRASE_BARS):
                first, *later = part.bars[start : start + PHRASE_BARS]
                if not density(first):
                    continue
                key = (part.steps, first)
                counts[key] += 1
                players[key].add(n_parts)
                log_tempo[key] += math.log(max(part.tempo, 1.0))
                for place, bar in zip(follows[key], later):
                    place[bar] += 1
        openings: dict[int, list[Opening]] = defaultdict(list)
        for key, count in counts.most_common():
            if len(players[key]) >= MIN_PARTS:
                steps, pattern = key
                openings[steps].append(Opening(pattern, count, density(pattern), round(math.exp(log_tempo[key] / count), 1),
                                               tuple(tuple(place.most_common()) for place in follows[key])))  # fmt: skip
        return cls(dict(openings), n_parts)

    def choose(self, steps: int, intensity: float, tempo: float, rng: np.random.Generator) -> Opening | None:
        """An opening for a bar of `steps` sixteenths (a meter the model lacks takes the 4/4 ones: the
        caller plays their first `steps` sixteenths) near `tempo`, its density at the `intensity` (0..1)
        quantile; None if the model learned none."""
        candidates = self.openings.get(steps) or self.openings.get(16)
        if not candidates:
            return None
        near = [o for o in candidates if 1 / TEMPO_RATIO <= o.tempo / tempo <= TEMPO_RATIO]
        pool = near if len(near) >= MIN_NEAR else candidates
        density = np.array([o.density for o in pool], float)
        weight = np.array([o.count for o in pool], float)
        order = np.argsort(density, kind="stable")
        quantile = np.empty(len(pool))
        quantile[order] = (np.cumsum(weight[order]) - weight[order] / 2) / weight.sum()  # mid-rank, by count
        distance = np.abs(quantile - float(np.clip(intensity, 0.0, 1.0)))
        span = max(QUANTILE_SPAN, float(np.sort(distance)[min(MIN_CHOICES, len(pool)) - 1]))
        chosen = np.flatnonzero(distance <= span)
        return pool[int(rng.choice(chosen, p=weight[chosen] / weight[chosen].sum()))]

    @staticmethod
    def bar_at(opening: Opening, place: int, rng: np.random.Generator) -> Any:
        """The bar at `place` (0 .. PHRASE_BARS - 1) of a phrase: the opening itself first, then one of
        the bars soundtracks play there after it, by their counts."""
        if place == 0:
            return opening.pattern
        choices = opening.follows[place - 1]
        counts = np.array([count for _, count in choices], float)
        return choices[int(rng.choice(len(counts), p=counts / counts.sum()))][0]

    @classmethod
    def bar_of_cue(cls, opening: Opening, bar: int, seed: int) -> Any:
        """Bar `bar` of a cue playing `opening`: drawn from `seed` per place in a period of PERIOD_PHRASES
        phrases (the second phrase may answer the first with other variations; the periods repeat like
        a loop, and regenerating some bars of a cue redraws the same ones)."""
        place = bar % PHRASE_BARS
        return cls.bar_at(opening, place, np.random.default_rng([seed, place, bar // PHRASE_BARS % PERIOD_PHRASES]))

    def to_json(self) -> dict:
        return {"parts": self.parts,
                "openings": {str(steps): [{"pattern": o.pattern, "count": o.count, "density": o.density, "tempo": o.tempo,
                                           "follows": [[[p, c] for p, c in place] for place in o.follows]} for o in openings]
                             for steps, openings in self.openings.items()}}  # fmt: skip

    @classmethod
    def from_json(cls, payload: dict) -> PhrasePatterns:
        openings = {int(steps): [Opening(_frozen(o["pattern"]), o["count"], o["density"], o["tempo"],
                                         tuple(tuple((_frozen(p), c) for p, c in place) for place in o["follows"]))
                                 for o in entries] for steps, entries in payload["openings"].items()}  # fmt: skip
        return cls(openings, payload["parts"])


def _frozen(value: Any) -> Any:
    """JSON lists back as the nested tuples patterns are."""
    return tuple(_frozen(v) for v in value) if isinstance(value, list) else value
