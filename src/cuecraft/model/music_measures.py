"""What a listener would notice in a piece, as numbers: how much sits on the tonic, how varied the
pitches and chords are, whether the tune sticks on one note, whether anything sounds above the bass,
whether bars and figures return, and whether the close is a real V7-I. Used to compare generated music
with real soundtrack excerpts (bench/music_quality.py); none of it steers generation.

Notes are in beats, 4/4 bars; the melody is the skyline (the highest note of each onset).
"""

from __future__ import annotations

import bisect
from collections import Counter
from collections.abc import Sequence

from cuecraft.corpus.chords import chord_at, label_chords
from cuecraft.model.emotion_profile import chromatic_chord_share, chromatic_share, key_in_force
from cuecraft.model.events import Note
from cuecraft.model.metrics import pitch_class_entropy
from cuecraft.theory import Key

BAR = 4.0
MIDDLE_C = 60  # a piece with hardly a note at or above it has no line over its bass


def melody_notes(notes: Sequence[Note]) -> list[Note]:
    """The skyline: the highest note struck at each onset (16th grid), in time order."""
    tops: dict[int, Note] = {}
    for n in notes:
        step = round(n.onset * 4)
        if step not in tops or n.pitch > tops[step].pitch:
            tops[step] = n
    return [tops[s] for s in sorted(tops)]


def melody(notes: Sequence[Note]) -> list[int]:
    """The skyline's pitches."""
    return [n.pitch for n in melody_notes(notes)]


def share_on(notes: Sequence[Note], key: Key, degrees: tuple[int, ...]) -> float:
    """Share of notes whose pitch class is one of `degrees` (semitones above the tonic)."""
    if not notes:
        return 0.0
    wanted = {(key.tonic + d) % 12 for d in degrees}
    return sum(n.pitch % 12 in wanted for n in notes) / len(notes)


def top_pitch_class_share(notes: Sequence[Note]) -> float:
    counts = Counter(n.pitch % 12 for n in notes)
    return max(counts.values()) / len(notes) if notes else 0.0


def distinct_chords(notes: Sequence[Note]) -> int:
    """Chord changes heard by the template labeller on a beat grid (distinct successive labels)."""
    return len(label_chords(notes, segment=1.0, change_cost=0.0)) if notes else 0  # each beat on its own, as the earlier cards measured


def same_pitch_repeats(notes: Sequence[Note]) -> tuple[float, int]:
    """Share of successive melody notes on the same pitch, and the longest run of one pitch."""
    line = melody(notes)
    if len(line) < 2:
        return 0.0, len(line)
    same = [a == b for a, b in zip(line, line[1:])]
    longest = run = 1
    for s in same:
        run = run + 1 if s else 1
        longest = max(longest, run)
    return sum(same) / len(same), longest


def longest_chord_run(notes: Sequence[Note]) -> int:
    """The most times one chord (same pitches, two or more) is struck in a row."""
    groups: dict[int, set[int]] = {}
    for n in notes:
        groups.setdefault(round(n.onset * 4), set()).add(n.pitch)
    return max(strike_runs([frozenset(g) for _, g in sorted(groups.items())]), default=0)


def strike_runs(pitch_sets: list[frozenset[int]]) -> list[int]:
    """For each strike (its pitches), how many times in a row its chord has now been struck: a single
    note neither counts nor ends a run (0 for it)."""
    runs, run, previous = [], 0, None
    for pitches in pitch_sets:
        if len(pitches) < 2:
            runs.append(0)
            continue
        run = run + 1 if pitches == previous else 1
        previous = pitches
        runs.append(run)
    return runs


def repeated_bar_share(notes: Sequence[Note], n_bars: int) -> float:
    """Share of bars (with notes) whose onsets and pitches restate an earlier bar exactly."""
    bars: list[frozenset] = []
    for b in range(n_bars):
        bars.append(frozenset((round((n.onset - b * BAR) * 4), n.pitch) for n in notes if b * BAR <= n.onset < (b + 1) * BAR))
    filled = [i for i, bar in enumerate(bars) if bar]
    if not filled:
        return 0.0
    return sum(bars[i] in bars[:i] for i in filled) / len(filled)


def longest_repeated_figure(notes: Sequence[Note]) -> int:
    """Length in notes of the longest melodic figure (interval sequence) stated twice without overlap."""
    line = melody(notes)
    intervals = [b - a for a, b in zip(line, line[1:])]
    n = len(intervals)
    best = 0
    previous = [0] * (n + 1)
    for i in range(1, n + 1):
        current = [0] * (n + 1)
        for j in range(i + 1, n + 1):
            if intervals[i - 1] == intervals[j - 1]:
                current[j] = min(previous[j - 1] + 1, j - i)
                best = max(best, current[j])
        previous = current
    return best + 1 if best else 0


def v7_complete(notes: Sequence[Note], key: Key, n_bars: int) -> bool:
    """Whether the bar before the last holds all four tones of the key's dominant seventh."""
    start = (n_bars - 2) * BAR
    present = {n.pitch % 12 for n in notes if start <= n.onset < start + BAR}
    return {(key.tonic + d) % 12 for d in (7, 11, 2, 5)} <= present


def bass_on_tonic_at_close(notes: Sequence[Note], key: Key, n_bars: int) -> bool:
    """Whether the lowest note struck in the last bar is the tonic."""
    last = [n for n in notes if n.onset >= (n_bars - 1) * BAR]
    return bool(last) and min(last, key=lambda n: n.pitch).pitch % 12 == key.tonic


def chromatic_steps(notes: Sequence[Note]) -> tuple[int, int]:
    """(how many move by step, how many there are) of the notes outside both the local key and the
    labeller's chord where they sound: a passing or neighbour note has a note a step (1 or 2 semitones)
    from it in the beat before or after; one without sounds like a wrong note."""
    ordered = sorted(notes, key=lambda n: n.onset)
    key_at, chords = key_in_force(ordered), label_chords(ordered)
    onsets = [n.onset for n in ordered]
    stepped = total = 0
    for n in ordered:
        heard = chord_at(chords, n.onset)
        if n.pitch % 12 in key_at(n.onset).allowed_pitch_classes() or (heard is not None and n.pitch % 12 in heard.pitch_classes):
            continue
        total += 1
        around = ordered[bisect.bisect_left(onsets, n.onset - 1.0) : bisect.bisect_right(onsets, n.onset + 1.0)]
        stepped += any(m.onset != n.onset and 0 < abs(m.pitch - n.pitch) <= 2 for m in around)
    return stepped, total


def measure(notes: Sequence[Note], key: Key, n_bars: int) -> dict[str, float]:
    """Every measure of one piece of `n_bars` bars in `key`."""
    repeats, run = same_pitch_repeats(notes)
    pitches = [n.pitch for n in notes]
    key_at = key_in_force(list(notes))  # the local keys, found once for both colour measures
    return {
        "tonic triad share": share_on(notes, key, key.tonic_triad()),
        "tonic + fifth share": share_on(notes, key, (0, 7)),
        "pitch-class entropy (bits)": pitch_class_entropy(notes),
        "distinct pitch classes": float(len({p % 12 for p in pitches})),
        "chord changes (labeller, beat grid)": float(distinct_chords(notes)),
        "melody same-pitch share": repeats,
        "longest same-pitch run": float(run),
        "bars restating an earlier bar": repeated_bar_share(notes, n_bars),
        "longest repeated figure (notes)": float(longest_repeated_figure(notes)),
        "V7 complete before the close": float(v7_complete(notes, key, n_bars)),
        "bass on the tonic at the close": float(bass_on_tonic_at_close(notes, key, n_bars)),
        "pitch range (semitones)": float(max(pitches) - min(pitches)) if pitches else 0.0,
        "notes at or above middle C": sum(p >= MIDDLE_C for p in pitches) / len(pitches) if pitches else 0.0,
        "notes per bar": len(notes) / n_bars,
        "top pitch-class share": top_pitch_class_share(notes),
        "longest run of one chord": float(longest_chord_run(notes)),
        "notes outside the local key": chromatic_share(list(notes), key_at),
        "chord time outside the local key": chromatic_chord_share(list(notes), key_at),
    }
