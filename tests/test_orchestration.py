"""Orchestration: layers split by voice, ranges respected by every part, intensity thickens the scoring."""

from __future__ import annotations

import pretty_midi
import pytest

from cuecraft.compose.articulation import part_name
from cuecraft.compose.cue_writer import write_cue
from cuecraft.compose.orchestration import fold, orchestrate, split_layers
from cuecraft.compose.styles import ENSEMBLES, Part
from cuecraft.model.events import Note
from cuecraft.project import Mood, MusicSettings
from cuecraft.render.stems import stem_for, stem_members


def test_split_layers_takes_top_inner_and_bottom_voices() -> None:
    chord = [Note(0, 1, p) for p in (48, 60, 64, 67, 72)]
    layers = split_layers([*chord, Note(1, 1, 74), Note(2, 1, 40)])
    assert [n.pitch for n in layers.melody] == [72, 74]
    assert [n.pitch for n in layers.bass] == [48, 40]
    assert [[n.pitch for n in g] for g in layers.harmony] == [[67, 64, 60]]


@pytest.mark.parametrize("pitch", [0, 20, 55, 90, 127])
def test_fold_lands_in_range_keeping_pitch_class(pitch: int) -> None:
    folded = fold(pitch, 41, 77)
    assert 41 <= folded <= 77 and folded % 12 == pitch % 12


def test_a_part_needs_an_octave_of_range() -> None:
    with pytest.raises(ValueError, match="octave"):
        Part("piccolo trumpet", ("melody",), 56, 70, 78)


def wide_material() -> list[Note]:
    """Four bars of chords spanning the keyboard, so every part has something to fold."""
    return [Note(beat, 1, p, 80) for beat in range(16) for p in (24 + beat, 50 + beat, 62, 67 + beat, 100 + beat % 8)]


@pytest.mark.parametrize("style", list(ENSEMBLES))
def test_every_part_stays_in_its_range(style: str) -> None:
    parts = orchestrate(wide_material(), ENSEMBLES[style], intensity=1.0, bars=4, beats_per_bar=4, final_beat=12, velocity=90)
    assert parts
    for scored in parts:
        if not scored.part.is_drum:
            pitches = [n.pitch for n in scored.notes]
            assert scored.part.low <= min(pitches) and max(pitches) <= scored.part.high, scored.part.name


@pytest.mark.parametrize("style", ["orchestral", "electronic", "action-percussion"])
def test_intensity_brings_in_parts_and_notes(style: str) -> None:
    def scored(intensity: float) -> tuple[int, int]:
        parts = orchestrate(wide_material(), ENSEMBLES[style], intensity, bars=4, beats_per_bar=4, final_beat=12, velocity=80)
        return len(parts), sum(len(p.notes) for p in parts)

    quiet, loud = scored(0.1), scored(0.95)
    assert loud[0] > quiet[0] and loud[1] > quiet[1]


def test_a_cue_for_each_ensemble_is_in_range_and_split_into_family_stems(baseline) -> None:  # noqa: ANN001
    mood = Mood(valence=0.3, arousal=0.6, intensity=0.9)
    for style, ensemble in ENSEMBLES.items():
        settings = MusicSettings(key="D minor", tempo=110, program=ensemble.lead.program, velocity=90, seed=3, style=style)
        midi = write_cue(baseline, settings, 12.0, None, mood)
        names = {p.name: p for p in ensemble.parts}
        for instrument in midi.instruments:
            part = names[part_name(instrument.name)]
            if not part.is_drum:
                assert all(part.low <= n.pitch <= part.high for n in instrument.notes), (style, part.name)
        stems = stem_members(midi)
        assert sum(len(members) for members in stems.values()) == len([i for i in midi.instruments if i.notes])
        for stem, members in stems.items():
            assert all(stem_for(midi.instruments[k]) == stem for k in members)


def test_stems_by_general_midi_family() -> None:
    assert stem_for(pretty_midi.Instrument(0)) == "keys"
    assert stem_for(pretty_midi.Instrument(42)) == "strings"
    assert stem_for(pretty_midi.Instrument(47)) == "percussion"
    assert stem_for(pretty_midi.Instrument(60)) == "brass"
    assert stem_for(pretty_midi.Instrument(73)) == "woodwinds"
    assert stem_for(pretty_midi.Instrument(89)) == "synth"
    assert stem_for(pretty_midi.Instrument(107)) == "world"
    assert stem_for(pretty_midi.Instrument(0, is_drum=True)) == "percussion"


def test_the_model_s_family_choice_decides_who_plays() -> None:
    """Orchestral: the model wrote the line for the flute (pipe), the inner voices for the strings
    ensemble and the bass for the low strings; a closing chord written for no part's family (piano)
    falls to the parts by layer."""
    ensemble = ENSEMBLES["orchestral"]
    written = [Note(b, 1, 79 + b % 3, 80, 73) for b in range(8)]  # flute line
    written += [Note(b, 1, p, 80, 48) for b in range(8) for p in (60, 64)]  # inner voices: violins' and violas' family
    written += [Note(b, 1, 43, 80, 42) for b in range(8)]  # cellos' family, the bass
    close = [Note(8, 4, p, 80, 0) for p in (38, 62, 66, 74)]
    parts = {s.part.name: s.notes for s in orchestrate(written + close, ensemble, 0.6, bars=2, beats_per_bar=4, final_beat=8, velocity=80)}
    assert {n.pitch % 12 for n in parts["flute"] if n.onset < 8} == {79 % 12, 80 % 12, 81 % 12}
    assert not [n for n in parts["violins"] if n.onset < 8]  # the line went to the flute: the violins rest until the close
    assert {n.pitch % 12 for n in parts["violas"] if n.onset < 8} == {0, 4}
    assert {n.pitch % 12 for n in parts["cellos"] if n.onset < 8} == {43 % 12}
    assert [n.pitch % 12 for n in parts["violins"] if n.onset >= 8] == [74 % 12]  # the close's top note, by layer
    horns = [n for n in parts["horns"] if n.onset < 8]
    assert horns and {n.pitch % 12 for n in horns} <= {0, 4}  # no brass written: the horns double the inner voices, as before


def test_a_line_written_for_a_family_with_no_part_for_it_goes_to_the_part_that_plays_that_line() -> None:
    """Orchestral, calm (violins, violas, cellos): a melody written for solo violin (the strings family,
    whose only part playing is the cellos' bass) goes to the violins, not folded into the cellos; a
    bass written for the strings ensemble (the violins' and violas' family) goes to the cellos. With no
    part for a line at all (the electronic ensemble has no bass part), its notes stay with their family."""
    melody = [Note(b, 1, 84 + b % 3, 80, 40) for b in range(8)]  # violin (program 40: strings family)
    inner = [Note(b, 1, 64, 80, 48) for b in range(8)]
    bass = [Note(b, 1, 40, 80, 48) for b in range(8)]  # string ensemble: no part of the family takes the bass
    parts = {s.part.name: s.notes for s in orchestrate(melody + inner + bass, ENSEMBLES["orchestral"], 0.1, bars=2, beats_per_bar=4,
                                                       final_beat=8, velocity=80)}  # fmt: skip
    assert {n.pitch % 12 for n in parts["violins"]} == {0, 1, 2} and min(n.pitch for n in parts["violins"]) >= 72
    assert {n.pitch % 12 for n in parts["cellos"]} == {40 % 12}  # the bass only: no melody folded down into it
    assert {n.pitch % 12 for n in parts["violas"]} == {64 % 12}
    synth = [Note(b, 1, p, 80, 81) for b in range(8) for p in (36, 72)]  # a lead synth's octaves: bass and melody
    electronic = {s.part.name: s.notes for s in orchestrate(synth, ENSEMBLES["electronic"], 0.6, bars=2, beats_per_bar=4,
                                                            final_beat=8, velocity=80)}  # fmt: skip
    assert sum(len(notes) for name, notes in electronic.items() if name != "drums") >= 16  # neither line lost


def test_a_soloist_rests_under_spoken_lines_whatever_it_was_written() -> None:
    """Action: the model wrote inner voices for the brass (a melody-only part) across beats 0-8 and a
    line is spoken over beats 2-6; the brass rest there, the strings' inner voices and the bass play on."""
    from cuecraft.compose.cue_form import CueForm

    written = [Note(b, 1, p, 80, 61) for b in range(8) for p in (62, 65, 69)]  # brass chords: top is the melody, the rest inner
    written += [Note(b, 1, 38, 80, 32) for b in range(8)]
    form = CueForm(lines=((2.0, 6.0),))
    parts = {s.part.name: s.notes for s in orchestrate(written, ENSEMBLES["action-percussion"], 0.6, bars=2, beats_per_bar=4,
                                                          final_beat=8, velocity=80, form=form)}  # fmt: skip
    brass = parts["brass section"]
    assert brass and not [n for n in brass if 2 <= n.onset < 6]
    assert [n for n in brass if n.onset < 2] and [n for n in brass if n.onset >= 6]
    assert [n for n in parts["taiko"] if 2 <= n.onset < 6]  # the bass layer plays on under the line


def test_the_model_is_asked_for_the_families_that_play() -> None:
    from cuecraft.compose.cue_writer import steering

    calm, loud = Mood(valence=0.5, arousal=-0.8, intensity=0.1), Mood(valence=0.5, arousal=0.8, intensity=0.9)
    settings = MusicSettings(key="C major", tempo=90, program=48, velocity=80, style="orchestral")
    assert steering(settings, calm)["families"] == ("ensemble", "strings")  # violins, violas, cellos
    assert steering(settings, loud)["families"] == ("brass", "ensemble", "pipe", "strings")  # flute and horns join


def test_a_long_pulse_of_one_chord_changes_voicing() -> None:
    from cuecraft.compose.orchestration import revoiced
    from cuecraft.model.music_measures import longest_chord_run

    triads = [Note(i / 4, 0.25, p) for i in range(12) for p in (48, 52, 55)]
    octaves = [Note(i / 4, 0.25, p) for i in range(12) for p in (38, 50)]  # a bass pulse in bare octaves
    between = [Note(i / 4, 0.25, p) for i in range(12) for p in ((38, 50) if i % 3 else (38,))]  # a lone bass note every third strike
    for pulse in (triads, octaves, between):
        assert longest_chord_run(pulse) >= 8 and longest_chord_run(revoiced(pulse)) <= 5
        assert {n.pitch % 12 for n in revoiced(pulse)} == {n.pitch % 12 for n in pulse}  # the harmony is unchanged


def test_a_pulse_doubled_by_two_bass_parts_holds_below() -> None:
    """Cellos and basses double a repeated-note bass pulse in octaves: after four strikes the basses
    hold the pedal under the cellos, so the ensemble no longer strikes one chord again and again."""
    from cuecraft.model.music_measures import longest_chord_run

    pulse = [Note(i / 4, 0.25, 40) for i in range(16)]
    parts = orchestrate(pulse, ENSEMBLES["orchestral"], 0.4, bars=4, beats_per_bar=4, final_beat=16, velocity=80)
    by_name = {s.part.name: s.notes for s in parts}
    heard = [n for s in parts for n in s.notes]
    basses = by_name["contrabasses"]
    assert len(by_name["cellos"]) == 16 and len(basses) == 4  # four strikes, the last held through the pulse
    assert basses[-1].onset + basses[-1].duration == 4.0 and longest_chord_run(heard) <= 5


def test_timpani_keep_to_their_two_drums() -> None:
    """Tuned to D and A (D major's tonic and dominant), the timpani play D over G major and B minor,
    D or A over D major, and rest over E minor, whose tones neither drum is."""
    from cuecraft.corpus.chords import Chord, TimedChord
    from cuecraft.theory import Key

    plan = [TimedChord(0, 4, Chord(2, "maj")), TimedChord(4, 8, Chord(7, "maj")), TimedChord(8, 12, Chord(11, "min")),
            TimedChord(12, 16, Chord(4, "min"))]  # fmt: skip
    material = [Note(beat, 1, p, 90) for beat in range(16) for p in (50, 62, 66)]
    parts = orchestrate(material, ENSEMBLES["orchestral"], 0.95, bars=4, beats_per_bar=4, final_beat=20, velocity=90,
                        chords=plan, key=Key.parse("D major"))  # fmt: skip
    timpani = next(s.notes for s in parts if s.part.name == "timpani")
    assert {n.pitch % 12 for n in timpani} <= {2, 9} and {n.pitch % 12 for n in timpani if n.onset < 4} <= {2, 9}
    assert timpani and {n.pitch % 12 for n in timpani if 4 <= n.onset < 12} <= {2}
    assert not [n for n in timpani if 12 <= n.onset < 16]


def test_timpani_figures_grow_busier_within_their_own_range() -> None:
    """The timpani enter only in intense music; there they draw their figure from their own range: just
    past their entry a sparse one (no bar-long roll through the cue, which made one drum over 30 % of a
    piece's notes), at full intensity the busiest soundtracks play (rolls)."""
    from cuecraft.corpus.chords import Chord, TimedChord
    from cuecraft.theory import Key

    timpani_part = next(p for p in ENSEMBLES["orchestral"].parts if p.name == "timpani")
    assert timpani_part.own_intensity(timpani_part.min_intensity) == 0.0 and timpani_part.own_intensity(1.0) == 1.0
    assert Part("cellos", ("bass",), 42, 36, 60).own_intensity(0.4) == 0.4  # a part playing from the start: the cue's own

    plan = [TimedChord(4 * b, 4 * b + 4, Chord(2 if b % 2 == 0 else 9, "maj")) for b in range(8)]
    material = [Note(beat, 1, p, 90) for beat in range(32) for p in (50, 62, 66)]

    def strokes_per_bar(intensity: float, seed: int) -> float:
        parts = orchestrate(material, ENSEMBLES["orchestral"], intensity, bars=8, beats_per_bar=4, final_beat=40, velocity=90,
                            chords=plan, key=Key.parse("D major"), seed=seed)  # fmt: skip
        return sum(len(s.notes) for s in parts if s.part.name == "timpani") / 8

    entering = [strokes_per_bar(0.7, seed) for seed in range(6)]
    full = [strokes_per_bar(1.0, seed) for seed in range(6)]
    assert max(entering) <= 3 and min(entering) > 0
    assert sum(full) > 2 * sum(entering)
