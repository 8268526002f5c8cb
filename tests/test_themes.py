"""Leitmotifs: development techniques transform the theme as named; a film has a main and a distinct
secondary theme, calm scenes take the secondary; every cue of a scored film states its theme's head
motif (interval matching on its lead part)."""

from __future__ import annotations

import pretty_midi
import pytest

from cuecraft.compose.styles import ENSEMBLES
from cuecraft.compose.theme import (MAIN, SECONDARY, contains_motif, develop, melody_intervals, theme_for_scene, theme_in_key,
                                   theme_motif, treatment_for, write_themes)  # fmt: skip
from cuecraft.model.events import Note
from cuecraft.scoring import ScoreResult
from cuecraft.theory import Key

THEME = [Note(0, 1, 60), Note(1, 1, 64), Note(2, 0.5, 67), Note(2.5, 0.5, 65), Note(3, 1, 64), Note(4, 2, 62), Note(6, 2, 60)]
C = Key.parse("C major")


def test_augmentation_and_diminution_scale_time_and_keep_intervals() -> None:
    for treatment, factor in (("augmentation", 2.0), ("diminution", 0.5)):
        developed = develop(THEME, treatment, C)
        assert [n.onset for n in developed] == [n.onset * factor for n in THEME]
        assert [n.duration for n in developed] == [n.duration * factor for n in THEME]
        assert melody_intervals(developed) == melody_intervals(THEME)


def test_fragmentation_repeats_the_head_a_scale_step_higher() -> None:
    developed = develop(THEME, "fragmentation", C)
    head = [n for n in THEME if n.onset < 4]
    assert [n.pitch for n in developed[len(head):]] == [62, 65, 69, 67, 65]  # C E G F E -> D F A G F
    assert [n.onset for n in developed[len(head):]] == [n.onset + 4 for n in head]


def test_treatment_follows_the_scene() -> None:
    assert treatment_for(0.5, 0.9, 0) == "statement"  # the first cue states the theme
    assert treatment_for(0.5, -0.6, 3) == "augmentation"
    assert treatment_for(0.5, 0.7, 3) == "diminution"
    assert treatment_for(-0.6, 0.1, 3) == "fragmentation"
    assert treatment_for(0.6, 0.1, 3) == "reharmonization"
    with pytest.raises(ValueError, match="unknown theme treatment"):
        develop(THEME, "retrograde", C)


def test_the_motif_survives_a_change_of_mode_and_octave_folding() -> None:
    motif = melody_intervals(THEME)[:4]
    minor = [Note(n.onset, n.duration, p) for n, p in zip(THEME, (60, 63, 67, 65, 51, 62, 60))]  # E flat, one note an octave down
    assert contains_motif(minor, motif)
    assert not contains_motif([Note(i, 1, p) for i, p in enumerate((60, 61, 62, 63, 64, 65))], motif)


def test_every_cue_of_the_scored_film_states_its_theme(scored: ScoreResult) -> None:
    found = []
    assert [t.id for t in scored.project.themes] == [MAIN, SECONDARY]
    assert {c.settings.theme for c in scored.project.cues if c.music} == {MAIN, SECONDARY}  # the demo film has calm and active scenes
    for cue in (c for c in scored.project.cues if c.music):
        take = cue.takes[0]
        assert take.settings.theme == theme_for_scene(cue.mood.arousal, scored.project.cues.index(cue))
        theme = scored.project.theme_for(take.settings)
        motif = theme_motif(theme_in_key(theme, Key.parse(take.settings.key)))  # the head motif in the cue's key and mode
        assert len(motif) == 4
        midi = pretty_midi.PrettyMIDI(str(scored.outdir / take.midi))
        lead = ENSEMBLES[take.settings.style].lead.name
        notes = [Note(n.start, n.end - n.start, n.pitch) for i in midi.instruments if i.name == lead for n in i.notes]
        found.append(contains_motif(notes, motif))
    assert all(found), found
    assert len({c.settings.theme_treatment for c in scored.project.cues}) >= 2  # the theme is developed, not just repeated


@pytest.mark.parametrize("home", ["D minor", "F major"])
def test_the_secondary_theme_is_a_calm_contrast_in_the_relative_key(transformer, home: str) -> None:  # noqa: ANN001
    key = Key.parse(home)
    main, secondary = write_themes(transformer, key, seed=2)
    assert (main.id, Key.parse(main.key)) == (MAIN, key) and (secondary.id, Key.parse(secondary.key)) == (SECONDARY, key.relative())
    assert not contains_motif(theme_in_key(secondary, key), theme_motif(theme_in_key(main, key)))  # two tunes, not one
    assert write_themes(transformer, key, seed=2) == [main, secondary]  # deterministic per seed
    assert theme_for_scene(-0.5, 0) == MAIN and theme_for_scene(-0.5, 2) == SECONDARY and theme_for_scene(0.4, 2) == MAIN


def test_reharmonization_keeps_the_tune_and_changes_the_chords() -> None:
    accompanied = [*THEME, Note(0, 2, 48), Note(2, 2, 43), Note(4, 2, 41), Note(6, 2, 48)]  # C G F C in the bass
    developed = develop(accompanied, "reharmonization", C)
    assert melody_intervals(developed) == melody_intervals(THEME)
    bass = [n.pitch % 12 for n in developed if n.pitch < 48]
    assert bass and bass != [0, 7, 5, 0]
    assert all(n.pitch % 12 in C.scale() for n in developed)


def test_fragmentation_steps_up_in_minor_keys_too() -> None:
    d_minor = Key.parse("D minor")
    head = [Note(0, 1, 62), Note(1, 1, 65), Note(2, 1, 69)]  # D F A
    assert [n.pitch for n in develop(head, "fragmentation", d_minor)[3:]] == [64, 67, 70]  # E G B flat
