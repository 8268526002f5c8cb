"""Bar-range regeneration: only the requested bars change (note-level diff), the bar count and the
seams stay, from the API, the CLI and the web API."""

from __future__ import annotations

import subprocess
import sys

import pretty_midi
import pytest

from cuecraft.compose.bar_edit import bar_count, regenerate_bars, tempo_map_of
from cuecraft.compose.cue_writer import write_cue
from cuecraft.errors import CuecraftError
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


@pytest.mark.parametrize("first, last", [(3, 4), (2, 2)])
def test_only_the_requested_bars_change(baseline, first: int, last: int) -> None:  # noqa: ANN001
    original = write_cue(baseline, SETTINGS, 24.0, None, MOOD, [9.6])  # a hit point: a tempo map with two tempi
    edited = regenerate_bars(baseline, original, SETTINGS, MOOD, first, last, seed=99)
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
