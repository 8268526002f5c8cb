"""Localized scores: the locale's modes and instruments, the original's timing and themes kept."""

from __future__ import annotations

import pretty_midi
import pytest
import soundfile

from cuecraft.compose.locales import LOCALES, snap_to_scale
from cuecraft.compose.theme import contains_motif, theme_in_key, theme_motif
from cuecraft.config import ScoreConfig
from cuecraft.errors import CuecraftError
from cuecraft.localize import localize_project
from cuecraft.model.events import Note
from cuecraft.scoring import ScoreResult
from cuecraft.theory import Key


@pytest.mark.parametrize("locale", list(LOCALES))
def test_snapping_keeps_every_note_within_a_tone_and_in_the_mode(locale: str) -> None:
    key = Key.parse("E minor")
    scale = LOCALES[locale].scale(key)
    notes = [Note(i / 2, 0.5, p) for i, p in enumerate(range(40, 90))]
    snapped = snap_to_scale(notes, key, scale)
    assert all((n.pitch - key.tonic) % 12 in scale for n in snapped)
    assert all(abs(a.pitch - b.pitch) <= 2 for a, b in zip(notes, snapped))


@pytest.mark.parametrize("locale", ["japanese", "celtic"])
def test_a_localized_score_keeps_timing_and_theme_and_changes_modes_and_instruments(scored: ScoreResult, baseline_path, tmp_path, locale) -> None:  # noqa: ANN001
    result = localize_project(scored.outdir, locale, tmp_path / locale, ScoreConfig(model="baseline", model_path=baseline_path))
    source, local = scored.project, result.project
    assert local.themes == source.themes
    ensemble = LOCALES[locale].ensemble
    programs = {p.program for p in ensemble.parts}
    recognised = []
    for original, cue in zip(source.cues, local.cues):
        assert (cue.start_frame, cue.end_frame, cue.hit_points) == (original.start_frame, original.end_frame, original.hit_points)
        take = cue.takes[0]
        assert take.settings.locale == locale and take.settings.seed == original.takes[0].settings.seed
        frames = soundfile.info(result.outdir / take.audio).frames
        assert frames == local.film.frames_to_samples(cue.n_frames, 48000)
        midi = pretty_midi.PrettyMIDI(str(result.outdir / take.midi))
        key = Key.parse(take.settings.key)
        scale = LOCALES[locale].scale(key)
        for instrument in midi.instruments:
            assert instrument.program in programs or instrument.is_drum
            if not instrument.is_drum and instrument.name != "taiko":
                assert all((n.pitch - key.tonic) % 12 in scale for n in instrument.notes), instrument.name
        lead = [Note(n.start, n.end - n.start, n.pitch) for i in midi.instruments if i.name == ensemble.lead.name for n in i.notes]
        recognised.append(contains_motif(lead, theme_motif(theme_in_key(local.theme_for(take.settings), key)), tolerance=2))
    assert sum(recognised) >= 0.8 * len(recognised), recognised


def test_an_unknown_locale_is_refused(scored: ScoreResult, tmp_path) -> None:  # noqa: ANN001
    with pytest.raises(CuecraftError, match="unknown locale"):
        localize_project(scored.outdir, "martian", tmp_path / "x")
