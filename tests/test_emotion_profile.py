"""The emotion profile: quadrant means learned from labelled pieces, and the music written to them
(how hard it is played, how many chromatic passing tones it takes)."""

from pathlib import Path

import pytest

from cuecraft.compose.cue_plan import intensity_for, velocity_for
from cuecraft.compose.harmony_plan import plan_harmony
from cuecraft.errors import CuecraftError
from cuecraft.model.composer import GenerationRequest
from cuecraft.model.emotion_profile import EmotionProfile, chromatic_share, shipped_emotion_profile
from cuecraft.model.events import Note
from cuecraft.model.harmony import shipped_harmony
from cuecraft.model.sampling import over_chord
from cuecraft.corpus.chords import Chord
from cuecraft.theory import Key

C_MAJOR_SCALE = [60, 62, 64, 65, 67, 69, 71, 72]


def scale_run(velocity: int, chromatic_every: int = 0) -> list[Note]:
    """Four bars of C major quavers at `velocity`; every `chromatic_every`-th note raised to a tone outside the key."""
    notes = []
    for i in range(32):
        pitch = C_MAJOR_SCALE[i % 8]
        if chromatic_every and i % chromatic_every == chromatic_every - 1 and pitch in (60, 65, 67):
            pitch += 1  # C#, F# or G#
        notes.append(Note(i * 0.5, 0.5, pitch, velocity))
    return notes


def test_profile_holds_each_quadrants_loudness_and_colour() -> None:
    labelled = [(scale_run(70), 0.5, 0.5), (scale_run(90), 0.7, 0.9), (scale_run(60), 1.0, -1.0),
                (scale_run(100, chromatic_every=3), -1.0, 1.0), (scale_run(110, chromatic_every=3), -0.5, -0.5),
                (scale_run(127), 0.0, 1.0)]  # fmt: skip  (the last is unlabelled on valence: left out)
    profile = EmotionProfile.fit(labelled)
    assert profile.velocity == {"V+A+": 80.0, "V+A-": 60.0, "V-A+": 100.0, "V-A-": 110.0}
    assert profile.pieces == {"V+A+": 2, "V+A-": 1, "V-A+": 1, "V-A-": 1}
    assert profile.chromatic["V+A+"] == 0.0 and profile.chromatic["V-A+"] == pytest.approx(chromatic_share(labelled[3][0]), abs=1e-4)
    assert profile.chromatic["V-A-"] > 0.05  # some raised notes are heard as a passing change of key, not colour
    assert profile.chromatic_at(1, 1) == 0.0 and profile.chromatic_at(-1, -1) == profile.chromatic["V-A-"]
    assert profile.chromatic_at(0, 1) == pytest.approx((profile.chromatic["V+A+"] + profile.chromatic["V-A+"]) / 2)
    # at low arousal, negative music is louder by 50: 25 either side of neutral
    assert profile.velocity_offset(-1, -1) == pytest.approx(25) and profile.velocity_offset(1, -1) == pytest.approx(-25)
    totals = [sum(profile.colour_degrees[mode]) for mode in ("major", "minor")]
    assert max(totals) == pytest.approx(1, abs=1e-3) and all(t == pytest.approx(1, abs=1e-3) or t == 0 for t in totals)
    for mode in ("major", "minor"):
        shares = profile.colour_degrees[mode]
        assert profile.colour_weights(Key(2, mode)) == tuple(shares[(pc - 2) % 12] for pc in range(12))  # moved to D
    with pytest.raises(ValueError, match="every quadrant needs labelled pieces"):
        EmotionProfile.fit(labelled[:3])


def test_profile_round_trips_and_a_bad_file_is_named(tmp_path: Path) -> None:
    profile = shipped_emotion_profile()
    profile.save(tmp_path / "p.json")
    assert EmotionProfile.load(tmp_path / "p.json") == profile
    (tmp_path / "bad.json").write_text('{"format": "cuecraft-emotion-profile/1", "velocity": {}, "chromatic": {}, "pieces": {}, "colour_degrees": {}}')
    with pytest.raises(CuecraftError, match="unreadable emotion profile .*a quadrant is missing"):
        EmotionProfile.load(tmp_path / "bad.json")


def test_valence_moves_how_hard_notes_are_played_not_the_planned_intensity() -> None:
    profile = shipped_emotion_profile()
    for arousal in (-0.8, 0.0, 0.8):
        louder_for_negative = profile.velocity_offset(-0.8, arousal) - profile.velocity_offset(0.8, arousal)
        assert velocity_for(0.4, -0.8, arousal) - velocity_for(0.4, 0.8, arousal) == pytest.approx(louder_for_negative, abs=1)
        for valence in (-0.8, 0.8):
            assert intensity_for(velocity_for(0.4, valence, arousal), valence, arousal) == pytest.approx(0.4, abs=0.01)
    assert velocity_for(0.4) == velocity_for(0.4, 0.0, 0.5)  # neutral valence: the intensity's velocity


def test_a_line_over_a_chord_leaves_the_other_form_of_its_degree() -> None:
    d_minor = Key.parse("D minor")
    scale, forms = d_minor.allowed_pitch_classes(), d_minor.other_forms()
    assert forms == {0: 1, 1: 0}  # C and C sharp
    assert 1 not in over_chord(scale, Chord(5, "maj").pitch_classes, forms)  # over F major (holds C): no C sharp
    assert 0 not in over_chord(scale, Chord(9, "maj").pitch_classes, forms)  # over A major (holds C sharp): no C
    assert {0, 1} <= over_chord(scale, Chord(2, "min").pitch_classes, forms)  # over D minor: either
    assert Key.parse("C major").other_forms() == {}


def share_outside(notes: list[Note], key: Key) -> float:
    return sum(n.pitch % 12 not in key.allowed_pitch_classes() for n in notes) / len(notes)


def test_chromatic_colour_reaches_its_share_off_the_downbeat_and_spares_the_close(transformer) -> None:  # noqa: ANN001
    key = Key.parse("G major")
    plan = plan_harmony(shipped_harmony(), key, 8, 100, seed=5)
    borrowed = {pc for c in plan.chords for pc in c.chord.pitch_classes} - key.allowed_pitch_classes()
    raised_fourth_or_flat_seventh = tuple(1.0 if pc in (1, 5) else 0.0 for pc in range(12))  # C sharp, F natural in G
    shares = {}
    for colour in (0.0, 0.12):
        notes = transformer.generate(GenerationRequest(key, 32, seed=5, chords=plan.chords, repeats=plan.repeats, velocity=80,
                                                       cadence=True, chromatic=colour, colour_weights=raised_fourth_or_flat_seventh))  # fmt: skip
        shares[colour] = share_outside(notes, key)
        colour_notes = [n for n in notes if n.pitch % 12 not in key.allowed_pitch_classes() | borrowed]
        assert all(n.pitch % 12 in (1, 5) for n in colour_notes), "only the degrees the key's music takes"
        assert all(n.onset < 24 for n in colour_notes), "the V7-I close stays on its chords"
        assert all(n.onset % 4 > 0 for n in colour_notes), "bar downbeats stay in the harmony"
    assert shares[0.0] < 0.04 and 0.05 < shares[0.12] < 0.2, shares  # the close (a quarter of the piece) takes none
