"""The film's themes, written once by the model and quoted by each cue in the cue's key and mode: a
main theme (T1) in the home key and a lyrical secondary theme (T2) in the relative key, which calm
scenes take up, as a love or reflection theme would in a film score."""

from __future__ import annotations

from collections.abc import Callable
from typing import get_args

from cuecraft.compose.harmony_plan import plan_harmony
from cuecraft.model.composer import RETRY_SEED_STEP, Composer, GenerationRequest, tonic_shift
from cuecraft.model.events import Note
from cuecraft.model.harmony import shipped_harmony
from cuecraft.project import Theme, ThemeNote, ThemeTreatment
from cuecraft.theory import Key

THEME_BARS = 2
THEME_TEMPO = 100.0  # the harmonic rhythm a theme is written at (a cue quotes it at its own tempo)
MAIN, SECONDARY = "T1", "T2"
THEME_IDS = (MAIN, SECONDARY)
SECONDARY_AROUSAL = -0.8  # the secondary theme is asked for as calm music: a lyrical contrast
DISTINCT_ATTEMPTS = 4
# Scale degrees that differ between major and minor, as semitones above the tonic.
MAJOR_TO_MINOR = {4: 3, 9: 8, 11: 10}
MINOR_TO_MAJOR = {3: 4, 8: 9, 10: 11}


def write_theme(composer: Composer, key: Key, seed: int, beats_per_bar: int = 4, theme_id: str = MAIN,
                arousal: float | None = None) -> Theme:  # fmt: skip
    """Ask the model for the opening bars of a piece in `key` (of `arousal`, if given) over a learned
    opening progression (tonic to a half cadence) and keep them as a theme."""
    plan = plan_harmony(shipped_harmony(), key, THEME_BARS, THEME_TEMPO, arousal=arousal or 0.0, seed=seed, cadence=False)
    request = GenerationRequest(key=key, length_beats=THEME_BARS * beats_per_bar, beats_per_bar=beats_per_bar, seed=seed,
                                arousal=arousal, chords=plan.chords)  # fmt: skip
    shift = tonic_shift(key.tonic)
    notes = [ThemeNote(onset=n.onset, duration=n.duration, pitch=n.pitch - shift) for n in composer.generate(request)]
    return Theme(id=theme_id, name="Main theme" if theme_id == MAIN else "Secondary theme", key=key.name, notes=notes)


def write_themes(composer: Composer, home_key: Key, seed: int, beats_per_bar: int = 4, redraws: int = 2) -> list[Theme]:
    """The film's main theme in the home key and a calm secondary theme in the relative key whose
    head motif differs from the main theme's (the model is asked again, up to a few seeds, until so).
    Each is checked against the model's training music and drawn again (up to `redraws` times) if flagged."""
    main = _original(lambda s: write_theme(composer, home_key, s, beats_per_bar), seed, redraws)
    main_motif = theme_motif(theme_in_key(main, home_key))
    for attempt in range(DISTINCT_ATTEMPTS):
        secondary = _original(lambda s: write_theme(composer, home_key.relative(), s, beats_per_bar, SECONDARY, SECONDARY_AROUSAL),
                              seed + 1 + RETRY_SEED_STEP * attempt, redraws)  # fmt: skip
        if not contains_motif(theme_in_key(secondary, home_key), main_motif):
            break
    return [main, secondary]


def _original(draw: Callable[[int], Theme], seed: int, redraws: int) -> Theme:
    """The first draw (seeds spaced past the distinctness retries) that the originality index does not
    flag, or the last, carrying its report (model.originality.first_original)."""
    from cuecraft.model.originality import first_original, shipped_index

    theme, report = first_original(lambda attempt: draw(seed + RETRY_SEED_STEP * DISTINCT_ATTEMPTS * attempt),
                                   lambda t: shipped_index().report([Note(n.onset, n.duration, n.pitch) for n in t.notes]), redraws)  # fmt: skip
    return theme.model_copy(update={"originality": report})


def theme_for_scene(arousal: float, index: int) -> str:
    """Which theme a cue quotes: the first cue and every active scene the main theme, calm scenes
    (arousal below zero) the secondary one."""
    return SECONDARY if index > 0 and arousal < 0 else MAIN


def theme_in_key(theme: Theme, key: Key) -> list[Note]:
    """The theme's notes moved to `key`: transposed to its tonic, with 3rd/6th/7th changed for its mode."""
    source_mode = Key.parse(theme.key).mode
    degree_map = {} if source_mode == key.mode else (MAJOR_TO_MINOR if key.mode == "minor" else MINOR_TO_MAJOR)
    shift = tonic_shift(key.tonic)
    notes = []
    for n in theme.notes:
        octave, degree = divmod(n.pitch, 12)
        pitch = octave * 12 + degree_map.get(degree, degree) + shift
        notes.append(Note(n.onset, n.duration, pitch))
    return notes


TREATMENTS = get_args(ThemeTreatment)


def treatment_for(valence: float, arousal: float, index: int) -> str:
    """How a cue develops the theme: the first cue states it; calm scenes stretch it (augmentation),
    agitated ones compress it (diminution), uneasy ones break it into sequenced fragments, warm
    ones hear the same tune over new chords (reharmonization)."""
    if index == 0:
        return "statement"
    if arousal < -0.3:
        return "augmentation"
    if arousal > 0.4:
        return "diminution"
    if valence < -0.2:
        return "fragmentation"
    return "reharmonization" if valence > 0.3 else "statement"


def develop(notes: list[Note], treatment: str, key: Key, beats_per_bar: int = 4) -> list[Note]:
    """The theme (already in the cue's key) transformed by a classical development technique."""
    if treatment == "augmentation":
        return [Note(n.onset * 2, n.duration * 2, n.pitch, n.velocity) for n in notes]
    if treatment == "diminution":
        return [Note(n.onset / 2, n.duration / 2, n.pitch, n.velocity) for n in notes]
    if treatment == "fragmentation":  # the head of the theme, then the head again a scale step higher
        head = [n for n in notes if n.onset < beats_per_bar]
        return head + [Note(n.onset + beats_per_bar, n.duration, _step_up(n.pitch, key), n.velocity) for n in head]
    if treatment == "reharmonization":
        return reharmonize(notes, key)
    if treatment != "statement":
        raise ValueError(f"unknown theme treatment {treatment!r} (one of: {', '.join(TREATMENTS)})")
    return list(notes)


def reharmonize(notes: list[Note], key: Key) -> list[Note]:
    """The theme's melody kept, its accompaniment replaced: each melody note on a beat is harmonized by
    a diatonic major or minor triad in which it is the fifth (else the third), not the chord the tune
    implied first, with the root in the bass and the remaining chord tone between."""
    from cuecraft.compose.orchestration import split_layers

    melody = split_layers(notes).melody
    triads = _diatonic_triads(key)
    harmony = []
    for n in melody:
        if n.onset % 1:
            continue
        chords = [t for t in triads if n.pitch % 12 in t[1:]] or [t for t in triads if n.pitch % 12 in t]
        if not chords:
            continue
        root, third, fifth = max(chords, key=lambda t: t.index(n.pitch % 12))
        other = third if n.pitch % 12 == fifth else fifth
        bass = 36 + (root - 36) % 12
        inner = n.pitch - 1 - (n.pitch - 1 - other) % 12  # the chord tone just below the melody
        harmony += [Note(n.onset, n.duration, bass, n.velocity), Note(n.onset, n.duration, inner, n.velocity)]
    return [*melody, *harmony]


def _diatonic_triads(key: Key) -> list[tuple[int, int, int]]:
    """(root, third, fifth) pitch classes of the key's major and minor triads on its scale degrees."""
    scale = list(key.scale())
    triads = []
    for i, root in enumerate(scale):
        third, fifth = scale[(i + 2) % 7], scale[(i + 4) % 7]
        if (fifth - root) % 12 == 7 and (third - root) % 12 in (3, 4):
            triads.append((root, third, fifth))
    return triads


def _step_up(pitch: int, key: Key) -> int:
    """`pitch` moved up one degree of the key's scale (chromatic notes move up a whole tone)."""
    scale = sorted(key.scale())
    pc = pitch % 12
    if pc not in scale:
        return pitch + 2
    following = scale[(scale.index(pc) + 1) % len(scale)]
    return pitch + (following - pc) % 12


def melody_intervals(notes: list[Note]) -> list[int]:
    """Intervals (semitones) between successive top notes of each onset: the motif's fingerprint."""
    tops: dict[float, int] = {}
    for n in notes:
        tops[round(n.onset, 3)] = max(tops.get(round(n.onset, 3), -1), n.pitch)
    pitches = [tops[t] for t in sorted(tops)]
    return [b - a for a, b in zip(pitches, pitches[1:])]


def theme_motif(theme_notes: list[Note], length: int = 4) -> list[int]:
    """The theme's head motif: the first `length` intervals of its melody layer (what a lead part plays)."""
    from cuecraft.compose.orchestration import split_layers

    return melody_intervals(split_layers(theme_notes).melody)[:length]


def contains_motif(notes: list[Note], motif: list[int], tolerance: int = 1) -> bool:
    """Whether the top line of `notes` states `motif` anywhere: each interval within `tolerance`
    semitones (a change of mode moves a third, sixth or seventh by one) and compared modulo the
    octave (orchestration may fold a note into an instrument's range)."""
    line = melody_intervals(notes)
    for start in range(len(line) - len(motif) + 1):
        window = line[start : start + len(motif)]
        if all(min((a - b) % 12, (b - a) % 12) <= tolerance for a, b in zip(window, motif)):
            return True
    return False
