"""Bar-range regeneration: only the requested bars change (note-level diff), the bar count and the
seams stay, the new bars are the draft that leads best into the bars after and sit in each part's
register; from the API, the CLI and the web API."""

from __future__ import annotations

import subprocess
import sys

from dataclasses import replace

import numpy as np
import pretty_midi
import pytest

from cuecraft.compose.bar_edit import (SEAM_DRAFTS, bar_count, drafts, in_register, new_bars, reduction, regenerate_bars,
                                       seam_fit, tempo_map_of)  # fmt: skip
from cuecraft.compose.cue_writer import steering, write_cue
from cuecraft.errors import CuecraftError
from cuecraft.model.composer import GenerationRequest
from cuecraft.model.events import Note
from cuecraft.theory import Key
from cuecraft.project import Mood, MusicSettings
from tests.test_review import client_for

SETTINGS = MusicSettings(key="D minor", tempo=100, program=48, velocity=84, seed=4, style="orchestral")
MOOD = Mood(valence=-0.3, arousal=0.5, intensity=0.8)


def notes_by_bar(midi: pretty_midi.PrettyMIDI) -> dict[int, set]:
    bars: dict[int, set] = {}
    for instrument in midi.instruments:
        for n in instrument.notes:
            bar = midi.time_to_tick(n.start) // (4 * midi.resolution) + 1
            bars.setdefault(bar, set()).add((instrument.name, n.pitch, round(n.start, 6), round(n.end, 6), n.velocity))
    return bars


@pytest.mark.parametrize("model, first, last", [("baseline", 3, 4), ("baseline", 2, 2), ("transformer", 3, 4)])
def test_only_the_requested_bars_change(request: pytest.FixtureRequest, model: str, first: int, last: int) -> None:
    composer = request.getfixturevalue(model)
    original = write_cue(composer, SETTINGS, 24.0, None, MOOD, [9.6])  # a hit point: a tempo map with two tempi
    edited = regenerate_bars(composer, original, SETTINGS, MOOD, first, last, seed=99)
    before, after = notes_by_bar(original), notes_by_bar(edited)
    assert bar_count(edited, 4) == bar_count(original, 4)
    for bar in set(before) | set(after):
        if first <= bar <= last:
            continue
        assert before.get(bar) == after.get(bar), bar  # note for note
    assert any(before.get(bar) != after.get(bar) for bar in range(first, last + 1))
    end_s = tempo_map_of(edited).seconds(last * 4)
    start_s = tempo_map_of(edited).seconds((first - 1) * 4)
    for instrument in edited.instruments:  # nothing new spills across the seam
        assert all(n.end <= end_s + 1e-6 for n in instrument.notes if start_s - 1e-6 <= n.start < end_s)
    assert edited.get_tempo_changes()[1].tolist() == pytest.approx(original.get_tempo_changes()[1].tolist())


def test_the_model_hears_whether_music_stays_in_its_key(transformer) -> None:  # noqa: ANN001
    request = GenerationRequest(Key.parse("C major"), 16, seed=3)
    music = transformer.generate(request)
    off_key = [replace(n, pitch=n.pitch + 6) if n.onset >= 8 else n for n in music]  # bars 3-4 a tritone away
    assert transformer.log_likelihood(request, music, 8) > transformer.log_likelihood(request, off_key, 8) + 0.1
    with pytest.raises(ValueError, match="bar line"):
        transformer.log_likelihood(request, music, 6)


def test_the_new_bars_are_the_draft_that_leads_best_into_the_bars_after(transformer) -> None:  # noqa: ANN001
    take = write_cue(transformer, SETTINGS, 16.0, None, MOOD)
    tempo_map = tempo_map_of(take)
    prompt, following = reduction(take, tempo_map, "orchestral", 0, 4), reduction(take, tempo_map, "orchestral", 12, 20)
    request = GenerationRequest(Key.parse("D minor"), 12, prompt=prompt, seed=5, **steering(SETTINGS, MOOD))
    candidates = drafts(transformer, request, 4, SEAM_DRAFTS)
    fits = [seam_fit(transformer, request, c, following) for c in candidates]
    assert len({round(f, 6) for f in fits}) == SEAM_DRAFTS  # the drafts differ and the model tells them apart
    assert new_bars(transformer, request, 4, following) == candidates[int(np.argmax(fits))]
    assert new_bars(transformer, request, 4, []) == candidates[0]  # nothing after: nothing to judge


def test_new_bars_are_moved_into_the_register_of_the_music_around_them() -> None:
    before, after = [Note(0, 4, 72)], [Note(8, 4, 74)]
    new = [Note(4, 2, 86), Note(6, 2, 88)]
    assert [n.pitch for n in in_register(new, before, after, (4, 8), (55, 100))] == [74, 76]
    assert [n.pitch for n in in_register(new, before, after, (4, 8), (80, 100))] == [86, 88]  # the part cannot go lower
    assert [n.pitch for n in in_register(new, [], [], (4, 8), (55, 100))] == [86, 88]


def test_a_bar_range_outside_the_take_is_refused(baseline) -> None:  # noqa: ANN001
    midi = write_cue(baseline, SETTINGS, 12.0, None, MOOD)
    with pytest.raises(CuecraftError, match="out of range: the take has bars 1-"):
        regenerate_bars(baseline, midi, SETTINGS, MOOD, 4, 40, seed=1)


def test_bars_are_regenerated_from_the_cli_and_the_web_api(review_project, baseline_path) -> None:  # noqa: ANN001
    folder = review_project.folder
    result = subprocess.run([sys.executable, "-m", "cuecraft", "regenerate-bars", "1M7", "1M7-t1", "--bars", "2-3", "-p", str(folder),
                             "--model", "baseline", "--model-path", str(baseline_path)], capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr
    made = review_project.project()[0].cue("1M7").takes[-1]
    assert made.id == "1M7-t2" and made.source == "bars 2-3 of 1M7-t1 regenerated"
    before = notes_by_bar(pretty_midi.PrettyMIDI(str(folder / "cues/1M7_t1.mid")))
    after = notes_by_bar(pretty_midi.PrettyMIDI(str(folder / made.midi)))
    assert all(before.get(bar) == after.get(bar) for bar in set(before) | set(after) if bar not in (2, 3))
    composer = client_for(review_project, "clara")
    assert composer.post("/api/cues/1M7/takes/1M7-t9/regenerate-bars", json={"first": 1, "last": 2}).status_code == 404
    assert client_for(review_project, "dan").post("/api/cues/1M7/takes/1M7-t1/regenerate-bars", json={"first": 1, "last": 2}).status_code == 403
    assert composer.post("/api/cues/1M7/takes/1M7-t1/regenerate-bars", json={"first": 0, "last": 2}).status_code == 422
    bad = subprocess.run([sys.executable, "-m", "cuecraft", "regenerate-bars", "1M7", "1M7-t1", "--bars", "nine", "-p", str(folder)],
                         capture_output=True, text=True)  # fmt: skip
    assert bad.returncode == 2 and "not a bar range" in bad.stderr



def test_one_family_can_be_regenerated_alone(baseline) -> None:  # noqa: ANN001
    from cuecraft.render.stems import stem_for

    original = write_cue(baseline, SETTINGS, 24.0, None, MOOD)
    edited = regenerate_bars(baseline, original, SETTINGS, MOOD, 2, 4, seed=7, family="strings")
    changed = {i.name for i, j in zip(original.instruments, edited.instruments) if [(n.pitch, n.start) for n in i.notes] != [(n.pitch, n.start) for n in j.notes]}
    assert changed and all(stem_for(i) == "strings" for i in edited.instruments if i.name in changed)
    assert any(stem_for(i) != "strings" for i in edited.instruments)  # other families were there and stayed
    with pytest.raises(CuecraftError, match="not an instrument family"):
        regenerate_bars(baseline, original, SETTINGS, MOOD, 2, 4, seed=7, family="kazoo")
