"""Symbolic analysis of MIDI, MusicXML and ABC: tempo, meter, key, instruments, density, dynamics,
harmony (chords with numerals in their local keys, and sections: corpus.harmony_analysis). MusicXML and ABC are read by music21 and written to MIDI so one analyser serves all."""

from __future__ import annotations

import tempfile
import warnings
from collections import Counter
from pathlib import Path

import numpy as np
import pretty_midi

from cuecraft.corpus.chords import label_chords
from cuecraft.corpus.features import InstrumentUse, PieceFeatures, WindowFeatures, gm_family
from cuecraft.corpus.global_key import find_key
from cuecraft.corpus.harmony_analysis import harmony_of
from cuecraft.corpus.keyfinding import estimate_key, pitch_class_profile
from cuecraft.corpus.modes import modal_key_name
from cuecraft.corpus.notation import parse_score
from cuecraft.errors import CuecraftError
from cuecraft.model.events import Note
from cuecraft.theory import PITCH_CLASS_NAMES

MIDI_SUFFIXES = frozenset({".mid", ".midi"})
NOTATION_SUFFIXES = frozenset({".xml", ".musicxml", ".mxl", ".abc", ".krn"})
WINDOW_BARS = 8
ROLL_FS = 20  # piano-roll frames per second for polyphony and chroma
# Triad templates for chord labels: root position major and minor on every pitch class.
_TRIADS = {
    f"{PITCH_CLASS_NAMES[root]}:{quality}": np.roll(np.isin(np.arange(12), intervals).astype(float), root)
    for root in range(12)
    for quality, intervals in (("maj", (0, 4, 7)), ("min", (0, 3, 7)))
}
_TRIAD_NAMES = list(_TRIADS)
_TRIAD_MATRIX = np.stack([t / np.linalg.norm(t) for t in _TRIADS.values()])


MAX_SCORE_BYTES = 32 * 2**20  # far above any real MIDI/MusicXML score; guards memory against junk


def load_midi(path: str | Path) -> pretty_midi.PrettyMIDI:
    """Read MIDI directly, or MusicXML/ABC through music21; CuecraftError if unreadable."""
    path = Path(path)
    if path.is_file() and path.stat().st_size > MAX_SCORE_BYTES:
        raise CuecraftError(path, f"too large for a score ({path.stat().st_size / 2**20:.0f} MB; the limit is {MAX_SCORE_BYTES // 2**20} MB)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            if path.suffix.lower() in MIDI_SUFFIXES:
                return pretty_midi.PrettyMIDI(str(path))
            score = parse_score(path)
            with tempfile.NamedTemporaryFile(suffix=".mid") as tmp:
                score.write("midi", fp=tmp.name)
                return pretty_midi.PrettyMIDI(tmp.name)
    except Exception as exc:  # parsers raise anything from OSError to IndexError on damaged input
        raise CuecraftError(path, f"unreadable {path.suffix or 'file'} ({exc.__class__.__name__}: {exc})") from None


def analyse_midi(midi: pretty_midi.PrettyMIDI) -> PieceFeatures:
    """Measure a parsed piece. Raises ValueError for a piece without notes."""
    pitched = [n for inst in midi.instruments if not inst.is_drum for n in inst.notes]
    all_notes = [n for inst in midi.instruments for n in inst.notes]
    if not all_notes:
        raise ValueError("no notes")
    duration = midi.get_end_time()
    notes = in_beats(midi, pitched)
    labelled = label_chords(notes)  # the home key and the harmony both read them
    home, confidence = find_key(notes, labelled) if notes else (None, None)
    velocities = np.array([n.velocity for n in all_notes], dtype=float)
    labels = _beat_chords(midi) if pitched else []
    changes = sum(1 for a, b in zip(labels, labels[1:]) if a != b)
    bars = max(1, len(midi.get_downbeats()))
    local, chords, sections = harmony_of(notes, _beats_per_bar(midi), labelled, home) if notes else ([], [], [])
    return PieceFeatures(
        kind="symbolic",
        duration_s=round(duration, 3),
        tempo_bpm=main_tempo(midi, duration),
        tempo_changes=max(0, len(midi.get_tempo_changes()[1]) - 1),
        meter=_meter(midi),
        key=home.name if home else None,
        key_confidence=round(confidence, 3) if home else None,
        modal_key=modal_key_name(pitch_class_profile((n.pitch, n.duration) for n in notes), home) if home else None,
        note_count=len(all_notes),
        note_density=round(len(all_notes) / max(duration, 1e-6), 3),
        polyphony=polyphony(midi),
        pitch_min=min((n.pitch for n in pitched), default=None),
        pitch_max=max((n.pitch for n in pitched), default=None),
        velocity_mean=round(float(velocities.mean()), 2),
        velocity_std=round(float(velocities.std()), 2),
        harmonic_rhythm=round(changes / bars, 3),
        chord_vocabulary=len(set(labels)),
        top_chords=[label for label, _ in Counter(labels).most_common(5)],
        instruments=[
            InstrumentUse(family=gm_family(i.program, i.is_drum), program=i.program, is_drum=i.is_drum, notes=len(i.notes))
            for i in midi.instruments
            if i.notes
        ],
        windows=_windows(midi, pitched),
        chords=chords,
        local_keys=local,
        sections=sections,
    )


def analyse_symbolic_file(path: str | Path) -> PieceFeatures:
    """Load and measure one symbolic file; CuecraftError names the file for any problem."""
    midi = load_midi(path)
    try:
        return analyse_midi(midi)
    except ValueError as exc:
        raise CuecraftError(path, f"cannot analyse: {exc}") from None


def _key_of(notes: list[pretty_midi.Note]) -> tuple[str | None, float | None]:
    if not notes:
        return None, None
    key, confidence = estimate_key(pitch_class_profile((n.pitch, n.end - n.start) for n in notes))
    return key.name, round(confidence, 3)


def main_tempo(midi: pretty_midi.PrettyMIDI, duration: float) -> float:
    """The tempo in force for the longest total time (the piece's main tempo)."""
    times, tempi = midi.get_tempo_changes()
    spans = np.diff(np.append(times, max(duration, times[-1])))
    by_tempo: Counter[float] = Counter()
    for tempo, span in zip(tempi, spans):
        by_tempo[round(float(tempo), 2)] += float(span)
    return max(by_tempo, key=by_tempo.__getitem__) if by_tempo else round(float(tempi[0]), 2)


def in_beats(midi: pretty_midi.PrettyMIDI, notes: list[pretty_midi.Note]) -> list[Note]:
    """Notes with onsets and durations in quarter-note beats (through the file's tempo map)."""
    beat = lambda seconds: midi.time_to_tick(seconds) / midi.resolution  # noqa: E731
    return [Note(beat(n.start), max(1e-3, beat(n.end) - beat(n.start)), n.pitch, n.velocity) for n in notes]


def _beats_per_bar(midi: pretty_midi.PrettyMIDI) -> int:
    """Quarter-note beats in the first bar's meter (3 for 3/4 and 6/8, 4 when none is given)."""
    signatures = midi.time_signature_changes
    return max(1, round(signatures[0].numerator * 4 / signatures[0].denominator)) if signatures else 4


def _meter(midi: pretty_midi.PrettyMIDI) -> str:
    signatures = midi.time_signature_changes
    return f"{signatures[0].numerator}/{signatures[0].denominator}" if signatures else "4/4"


def polyphony(midi: pretty_midi.PrettyMIDI) -> float | None:
    """Mean number of pitched notes sounding, over the moments when any sounds."""
    rolls = [(inst.get_piano_roll(fs=ROLL_FS) > 0).sum(axis=0) for inst in midi.instruments if not inst.is_drum and inst.notes]
    if not rolls:
        return None
    counts = np.zeros(max(len(r) for r in rolls), dtype=int)
    for roll in rolls:
        counts[: len(roll)] += roll
    sounding = counts[counts > 0]
    return round(float(sounding.mean()), 3) if sounding.size else None


def _beat_chords(midi: pretty_midi.PrettyMIDI) -> list[str]:
    """The best-matching major/minor triad on every beat (beats with no pitched sound are skipped)."""
    chroma = midi.get_chroma(fs=ROLL_FS)
    beats = midi.get_beats()
    edges = np.append((beats * ROLL_FS).astype(int), chroma.shape[1])
    labels = []
    for start, end in zip(edges[:-1], edges[1:]):
        vector = chroma[:, start:max(end, start + 1)].sum(axis=1)
        if vector.sum() > 0:
            labels.append(_TRIAD_NAMES[int(np.argmax(_TRIAD_MATRIX @ vector))])
    return labels


def _windows(midi: pretty_midi.PrettyMIDI, pitched: list[pretty_midi.Note]) -> list[WindowFeatures]:
    """Key, density and dynamics per 8-bar window (from downbeat to downbeat)."""
    downbeats = list(midi.get_downbeats())
    bounds = downbeats[::WINDOW_BARS] + [midi.get_end_time()]
    windows = []
    for index, (start, end) in enumerate(zip(bounds[:-1], bounds[1:])):
        if end <= start:
            continue
        inside = [n for n in pitched if start <= n.start < end]
        key, confidence = _key_of(inside)
        windows.append(
            WindowFeatures(
                index=index, start_s=round(start, 3), end_s=round(end, 3), key=key, key_confidence=confidence,
                note_density=round(len(inside) / (end - start), 3),
                velocity_mean=round(float(np.mean([n.velocity for n in inside])), 2) if inside else None,
            )  # fmt: skip
        )
    return windows
