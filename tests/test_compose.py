import warnings
from pathlib import Path

import music21
import pytest

from cuecraft.compose.cue_plan import home_key_for, plan_settings
from cuecraft.compose.cue_writer import write_cue
from cuecraft.compose.endings import layout_cue
from cuecraft.compose.theme import theme_in_key, write_theme
from cuecraft.model.baseline import MarkovBaseline
from cuecraft.project import Mood, MusicSettings
from cuecraft.theory import Key


def analysed_key(path: Path) -> Key:
    """Key found by music21's Krumhansl-Schmuckler analysis: independent of cuecraft's own key finder."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = music21.converter.parse(str(path)).analyze("key")
    return Key(found.tonic.pitchClass, found.mode)


@pytest.mark.parametrize("key, tempo", [("D minor", 72), ("Eb major", 120), ("F# minor", 96), ("A major", 60), ("C minor", 140)])
def test_requested_key_and_tempo_are_recovered_from_the_midi(baseline: MarkovBaseline, tmp_path: Path, key: str, tempo: int) -> None:
    theme = write_theme(baseline, Key.parse("D minor"), seed=3)
    settings = MusicSettings(key=key, tempo=tempo, program=0, velocity=80, seed=17)
    midi = write_cue(baseline, settings, 16.0, theme)
    path = tmp_path / "cue.mid"
    midi.write(str(path))
    assert analysed_key(path) == Key.parse(key)
    _, tempi = midi.get_tempo_changes()
    assert tempi.tolist() == pytest.approx([tempo], abs=0.01)
    assert midi.get_end_time() <= 16.0
    assert midi.get_end_time() > 16.0 - 1.0  # the final chord rings to just before the out point


def test_the_final_chord_holds_at_most_two_bars_or_a_quarter_of_the_cue() -> None:
    roomy = layout_cue(40.0, 100.0, 4)  # 66.67 beats: the last downbeat (64) leaves 2.67 beats
    assert roomy.final_chord_beat == 64.0
    assert roomy.final_chord_beat < roomy.release_beat < roomy.total_beats
    short = layout_cue(10.0, 100.0, 4)  # 16.67 beats: a downbeat close (12) would hold 28 %; the half bar (14) holds 16 %
    assert short.final_chord_beat == 14.0
    for seconds in (8.0, 12.5, 21.0, 33.3, 61.0):
        for tempo in (60.0, 90.0, 133.0):
            for ending in ("ring-out", "fade", "segue", "unresolved", "button"):
                layout = layout_cue(seconds, tempo, 4, ending)
                hold = layout.total_beats - layout.final_chord_beat
                assert 0.5 <= hold <= min(8.0, max(2.0, 0.25 * layout.total_beats) + 1e-9), (seconds, tempo, ending)
                if ending in ("fade", "segue", "unresolved"):
                    assert layout.release_beat == layout.total_beats  # held through the out point


def test_theme_follows_the_mode_of_the_cue(baseline: MarkovBaseline) -> None:
    theme = write_theme(baseline, Key.parse("F major"), seed=1)
    in_minor = theme_in_key(theme, Key.parse("D minor"))
    assert {n.pitch % 12 for n in in_minor} <= Key.parse("D minor").allowed_pitch_classes()
    # same rhythm, same contour
    in_major = theme_in_key(theme, Key.parse("D major"))
    assert [n.onset for n in in_minor] == [n.onset for n in in_major]
    assert all(abs(a.pitch - b.pitch) <= 1 for a, b in zip(in_minor, in_major))


def test_brief_follows_mood() -> None:
    home = home_key_for([Mood(valence=-0.5, arousal=0, intensity=0.5)])
    assert home == Key.parse("D minor")
    calm_happy = plan_settings(Mood(valence=0.8, arousal=-0.8, intensity=0.2), home, seed=0)
    tense = plan_settings(Mood(valence=-0.8, arousal=0.9, intensity=0.9), home, seed=0)
    assert calm_happy.key == "F major" and tense.key == "D minor"
    assert tense.tempo > calm_happy.tempo + 40
    assert tense.velocity > calm_happy.velocity
