"""A cue's harmony and phrase plan, made before any note: chords drawn from the learned harmony model
inside a classical phrase form, and the bars that restate earlier ones.

Bars group into four-bar phrases in the pattern a a' b a' (repeating): `a` opens on the tonic and
ends on a half cadence (V); `a'` restates the opening two bars of `a` (notes and chords) and closes
on V-I; `b` leaves the tonic and ends on V to lead back. The plan's opening can be fixed (the chords
of a quoted theme); its close is V7-I when asked. The chord changes as often as the corpus's median
at that tempo (harmonic_rhythm), half as often in calm scenes (intensity below CALM), within 2-8 beats;
where a chord lasts a bar or more, a phrase's closing V (and the close's V7) takes only the bar's last
two beats, after a pre-dominant, as a cadence is approached in real music.
Of the draws that meet a phrase's ends, the plan keeps the one that brings its share of chords outside
the key (borrowed, chromatic) nearest the share asked for: the emotion profile's for the scene's mood.
No chord holding a tone of the dominant's key (the raised 4th; in minor also the raised 6th) is drawn:
such chords made Krumhansl-Schmuckler hear one brief in five in its dominant's key (MODEL_CARD.md).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from cuecraft.corpus.chords import TimedChord, merge_segments
from cuecraft.model.harmony import SYMBOLS, HarmonyModel, chord_of, symbol, tilted
from cuecraft.theory import Key

PHRASE_BARS = 4
FORM = "aaba"  # phrase letters in turn; the second and fourth restate the first's opening
ATTEMPTS = 64  # chains drawn per phrase to meet its ends
MAX_REPEAT = 2  # one chord no more than this many times in a row
CALM = 0.5
PRE_DOMINANT = (2, 5, 8)  # degrees of ii, IV/iv and bVI: the chords that lead to the dominant
HALF_BAR = 2.0  # beats: a phrase-ending dominant's length when chords last a bar or more


@dataclass(frozen=True)
class HarmonyPlan:
    chords: tuple[TimedChord, ...]
    repeats: tuple[tuple[int, int], ...]  # (bar, earlier bar it restates)


def tonic_symbol(key: Key) -> str:
    return "0_maj" if key.mode == "major" else "0_min"


def tonic_chords(key: Key) -> set[str]:
    """The tonic triad and its diatonic seventh, in the key's mode."""
    return {"0_maj", "0_maj7"} if key.mode == "major" else {"0_min", "0_min7"}


def _degree(name: str) -> int:
    return int(name.split("_")[0])


def _function_score(chain: list[str], history: list[str], tonic: set[str]) -> int:
    """How well a phrase's chords state the key (0-2): a pre-dominant (ii, IV, iv, bVI) on the way
    when the phrase is long enough to hold one, and no root more often than the tonic's (a chain that
    dwells on V or iii is heard in that chord's key: the tonal phrase T-S-D-T of Caplin's Classical Form).
    The tonic counts in the key's own mode (`tonic`: its triad and seventh); the other mode's tonic is a rival."""
    if len(chain) < 3:
        return 2
    heard = history[-2:] + chain
    pre_dominant = any(_degree(name) in PRE_DOMINANT for name in heard)
    roots = [name if _degree(name) == 0 else _degree(name) for name in heard]  # a tonic of the other mode is a rival
    on_tonic = sum(name in tonic for name in heard)
    rivals = [roots.count(r) for r in set(roots) if r not in tonic]
    return int(pre_dominant) + int(max(rivals, default=0) <= on_tonic)


@functools.lru_cache(maxsize=24)
def chords_outside(key: Key) -> frozenset[str]:
    """The chords (degree symbols) with a tone outside the key that leave its tonic standing: borrowed and
    chromatic chords, but none on the tonic (the other mode's tonic changes the key heard, not its colour)."""
    return frozenset(name for name in SYMBOLS
                     if not chord_of(name, key).pitch_classes <= key.allowed_pitch_classes() and _degree(name) != 0)  # fmt: skip


@dataclass(frozen=True)
class ColourAim:
    """The share of chords outside the key a plan aims at, and the plan's count so far (chords, outside)."""

    share: float
    chords: int = 0
    outside: int = 0

    def miss(self, chain: list[str], key: Key) -> float:
        """How far the plan's share would be from the aim with `chain` added."""
        outside = self.outside + sum(name in chords_outside(key) for name in chain)
        return abs(outside / max(1, self.chords + len(chain)) - self.share)


# Tones (semitones above the tonic) that belong to the dominant's key and not the cue's: the raised 4th,
# the dominant's leading tone, and in minor the raised 6th (the minor dominant's second: E minor with C sharp
# has B minor's notes). Chords holding them (II, V/V; in minor also IV and ii) make the key heard the dominant's.
DOMINANT_KEY_TONES = {"major": frozenset({6}), "minor": frozenset({6, 9})}


def leans_to_dominant(name: str, mode: str) -> bool:
    """Whether a chord (degree symbol) holds a tone of the dominant's key that the cue's key lacks."""
    return bool(DOMINANT_KEY_TONES[mode] & chord_of(name, Key(0, mode)).pitch_classes)


LEANS_TO_DOMINANT = {mode: np.array([leans_to_dominant(name, mode) for name in SYMBOLS]) for mode in DOMINANT_KEY_TONES}


def _next_chords(model: HarmonyModel, mode: str, valence: float, arousal: float) -> Callable[[list[str]], np.ndarray]:
    """P(next chord | the last two) for one plan's mode and mood, each history worked out once; never a
    chord that leans to the dominant's key (the cue keeps its key; its colour comes from the other chords outside it)."""
    known: dict[tuple[str, ...], np.ndarray] = {}
    tilt = model.emotion_tilt(mode, valence, arousal)

    def probabilities(history: list[str]) -> np.ndarray:
        last_two = tuple(history[-2:])
        if last_two not in known:
            known[last_two] = tilted(np.where(LEANS_TO_DOMINANT[mode], 0.0, model.ngram_distribution(mode, list(last_two))), tilt)
        return known[last_two].copy()

    return probabilities


def _chain(next_chords: Callable[[list[str]], np.ndarray], key: Key, history: list[str], length: int, first: set[str] | None,
           last: set[str] | None, rng: np.random.Generator, aim: ColourAim | None = None) -> list[str]:  # fmt: skip
    """`length` chords continuing `history`, the first in `first` and the last in `last` when given
    (the best of ATTEMPTS draws, nearest the `aim` among the best; the ends are forced if no draw meets them)."""
    best, best_score, tonic = None, (-1, 0.0), tonic_chords(key)
    for _ in range(ATTEMPTS):
        chain: list[str] = []
        for i in range(length):
            probs = next_chords(history + chain)
            if i == 0 and first:
                probs = probs * np.isin(SYMBOLS, list(first))
            if len(chain) >= MAX_REPEAT and len(set(chain[-MAX_REPEAT:])) == 1:
                probs[SYMBOLS.index(chain[-1])] = 0.0
            if probs.sum() <= 0:
                probs = np.isin(SYMBOLS, list(first or {tonic_symbol(key)})).astype(float)
            chain.append(SYMBOLS[int(rng.choice(len(SYMBOLS), p=probs / probs.sum()))])
        score = ((last is None or chain[-1] in last) + (len(set(chain)) > 1 or length == 1) + _function_score(chain, history, tonic),
                 -aim.miss(chain, key) if aim else 0.0)
        if score > best_score:
            best, best_score = chain, score
        if score[0] == 4 and not aim:
            break
    assert best is not None
    if last and best[-1] not in last:
        best[-1] = sorted(last)[0]
    return best


def plan_harmony(model: HarmonyModel, key: Key, n_bars: int, tempo: float, valence: float = 0.0, arousal: float = 0.0,
                 intensity: float = 0.5, seed: int = 0, opening: list[TimedChord] | None = None,
                 cadence: bool = True, outside_share: float | None = None) -> HarmonyPlan:  # fmt: skip
    """Chords for `n_bars` 4/4 bars and the bars that restate earlier ones. `opening` (chords of a
    quoted theme, beats from the start) stands as given; `cadence` closes on V7-I; `outside_share`, when
    given, is the share of chords outside the key to aim at."""
    rng = np.random.default_rng(seed)
    next_chords = _next_chords(model, key.mode, valence, arousal)
    learned = model.harmonic_rhythm(tempo) * (2 if intensity < CALM else 1)
    beats_per_chord = min((2.0, 4.0, 8.0), key=lambda b: abs(np.log2(b / learned)))
    slot_of = lambda bar: math.ceil(bar * 4 / beats_per_chord - 1e-9)  # noqa: E731 - first slot at or after a bar line
    tonic, dominant, dominant7 = tonic_symbol(key), "7_maj", "7_7"
    opening_beats = max((c.end for c in opening), default=0.0) if opening else 0.0
    slots: list[str | None] = [None] * slot_of(n_bars)
    for i in range(len(slots)):
        beat = i * beats_per_chord
        if opening and beat < opening_beats:
            held = [c for c in opening if c.start <= beat + 1e-9 < c.end]
            slots[i] = symbol(held[0].chord, key) if held else None
    dominant_ends: list[int] = []  # slots where a phrase arrives on V: V keeps only their last HALF_BAR beats
    if cadence and n_bars >= 2:  # the close: the last bar on the tonic, the chord before it a dominant seventh
        for i in range(slot_of(n_bars - 1), len(slots)):
            slots[i] = tonic
        slots[slot_of(n_bars - 1) - 1] = dominant7
        dominant_ends.append(slot_of(n_bars - 1) - 1)
    repeats: list[tuple[int, int]] = []
    for phrase_start in range(0, n_bars, PHRASE_BARS):
        letter = FORM[(phrase_start // PHRASE_BARS) % len(FORM)]
        bars = min(PHRASE_BARS, n_bars - phrase_start)
        first_slot, end_slot = slot_of(phrase_start), slot_of(phrase_start + bars)
        is_last = phrase_start + bars >= n_bars
        restate = letter == "a" and phrase_start > 0 and bars > 2
        if restate:
            for j in range(min(slot_of(2), end_slot - first_slot)):
                slots[first_slot + j] = slots[j]
            repeats += [(phrase_start + b, b) for b in range(2)]
        todo = [i for i in range(first_slot, end_slot) if slots[i] is None]
        if not todo:
            continue
        ending: set[str] | None = {tonic} if restate else {dominant, dominant7}
        if is_last and cadence:
            ending = None  # the close is already in place
        opener = {tonic} if (todo[0] == 0) else ({s for s in SYMBOLS if not s.startswith("0_")} if letter == "b" else None)
        previous = [s for s in slots[: todo[0]] if s]
        placed = [s for s in slots if s]
        aim = None if outside_share is None else ColourAim(outside_share, len(placed), sum(s in chords_outside(key) for s in placed))
        chain = _chain(next_chords, key, previous[-2:], len(todo), opener, ending, rng, aim)
        for slot, name in zip(todo, chain):
            slots[slot] = name
        if ending == {dominant, dominant7} and todo[-1] == end_slot - 1:  # a half cadence the chain wrote
            dominant_ends.append(end_slot - 1)
    cells = _approached_dominants(slots, dominant_ends, int(beats_per_chord // HALF_BAR), next_chords, rng)
    chords = merge_segments([chord_of(name, key) if name else None for name in cells], min(beats_per_chord, HALF_BAR))
    return HarmonyPlan(tuple(chords), tuple(repeats))


def _approached_dominants(slots: list[str | None], dominant_ends: list[int], cells_per_slot: int,
                          next_chords: Callable[[list[str]], np.ndarray], rng: np.random.Generator) -> list[str | None]:  # fmt: skip
    """The slots as HALF_BAR cells, each phrase-ending V (half cadence or the close's V7) on its slot's
    last cell only, led to by a pre-dominant (ii, IV/iv or bVI, drawn from the harmony model after the
    chords before it): with bar-long chords, three bars of V in sixteen made calm cues dwell on the
    dominant (a fifth of their chord time, against 4-10 % in held-out soundtracks) and be heard in its key."""
    cells = [name for name in slots for _ in range(cells_per_slot)]
    if cells_per_slot < 2:
        return cells
    for slot in dominant_ends:
        history = [name for name in slots[:slot] if name]
        probs = next_chords(history) * np.isin([_degree(name) for name in SYMBOLS], PRE_DOMINANT)
        if probs.sum() <= 0:
            continue
        approach = SYMBOLS[int(rng.choice(len(SYMBOLS), p=probs / probs.sum()))]
        for cell in range(slot * cells_per_slot, (slot + 1) * cells_per_slot - 1):
            cells[cell] = approach
    return cells
