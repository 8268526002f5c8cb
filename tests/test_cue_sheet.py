"""The editable cue sheet: spot, edit, score with it; mistakes refused with one line; parser properties."""

from pathlib import Path

import numpy as np
import pytest
import soundfile
import yaml
from hypothesis import given, settings
from hypothesis import strategies as st

from cuecraft.errors import CuecraftError
from cuecraft.film.cue_sheet import CueSheet, CueSheetEntry, read_cue_sheet, write_cue_sheet
from cuecraft.project import FilmInfo, Project
from cuecraft.takes import TAIL_SECONDS
from tests.test_cli import cuecraft, error_line

FILM = FilmInfo(path="film.mp4", n_frames=24 * 600, fps_num=24, width=2, height=2)


def sheet_file(tmp_path: Path, cues: list[dict]) -> Path:
    path = tmp_path / "cues.yaml"
    path.write_text(yaml.safe_dump({"film": "film.mp4", "cues": cues}))
    return path


def test_spot_edit_score(tmp_path: Path, test_film, baseline_path: Path) -> None:  # noqa: ANN001
    sheet = tmp_path / "cues.yaml"
    spotted = cuecraft("spot", str(test_film[0]), "-o", str(sheet), "--min-cue", "6", "--mood-turn", "0", "--density", "1")
    assert spotted.returncode == 0, spotted.stderr
    data = yaml.safe_load(sheet.read_text())
    assert [c["in"] for c in data["cues"]][1:] == [FILM.timecode(cut) for cut in test_film[1]]
    data["cues"][1]["music"] = False
    data["cues"][2]["style"] = "action-percussion"
    data["cues"][2]["valence"] = -0.9
    data["cues"][2]["notes"] = "darker: the chase turns"
    assert {c["theme"] for c in data["cues"]} <= {"T1", "T2"} and data["cues"][0]["theme"] == "T1"
    data["cues"][0]["theme"] = "T2"  # the editor asks for the secondary theme at the start
    sheet.write_text(yaml.safe_dump(data))
    out = tmp_path / "out"
    result = cuecraft("score", str(test_film[0]), "-o", str(out), "--cues", str(sheet), "--model", "baseline",
                      "--model-path", str(baseline_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    project = Project.load(out)
    silent, brass = project.cues[1], project.cues[2]
    assert not silent.music and not silent.takes
    assert brass.settings.style == "action-percussion" and brass.settings.program == 61 and brass.mood.valence == -0.9 and brass.settings.key.endswith("minor")
    assert brass.notes == "darker: the chase turns"
    assert project.cues[0].settings.theme == "T2" and project.cues[0].takes[0].settings.theme == "T2"
    audio, rate = soundfile.read(out / "score.wav")
    start, end = silent.start_frame * rate // 24, silent.end_frame * rate // 24
    tail = round(TAIL_SECONDS * rate)  # the cue before rings on into the spotted silence, then stops
    assert np.abs(audio[start : start + rate // 10]).max() > 1e-4
    assert np.abs(audio[start + tail : end]).max() < 1e-6


@pytest.mark.parametrize(
    "cues, problem",
    [
        ([{"id": "1M1", "in": "00:00:00:00", "out": "00:00:10:00"}, {"id": "1M2", "in": "00:00:09:00", "out": "00:00:20:00"}], "overlap"),
        ([{"id": "1M1", "in": "-00:00:01:00", "out": "00:00:10:00"}], "not a timecode"),
        ([{"id": "1M1", "in": "00:00:10:00", "out": "00:00:05:00"}], "is not after in"),
        ([{"id": "1M1", "in": "00:00:00:00", "out": "01:00:00:00"}], "past the end of the film"),
        ([{"id": "1M1", "in": "00:00:00:00", "out": "00:00:10:00", "style": "polka"}], "unknown style 'polka'"),
        ([{"id": "1M1", "in": "00:00:00:00", "out": "00:00:10:00", "theme": "T9"}], "unknown theme 'T9'"),
        ([{"id": "1M1", "in": "00:00:00:00", "out": "00:00:10:00"}, {"id": "1M1", "in": "00:00:20:00", "out": "00:00:30:00"}], "used twice"),
        ([{"id": "1M1", "in": "00:00:00:30", "out": "00:00:10:00"}], "not a timecode at 24 fps"),
        ([{"id": "1M1", "in": "00:00:00:00", "out": "00:00:10:00", "hit_points": ["00:00:12:00"]}], "hit point lies outside"),
        ([{"id": "1M1", "in": "00:00:00:00", "out": "00:00:10:00", "valence": 4}], "valence"),
        ([{"id": "1M1", "in": "00:00:00:00", "out": "00:00:10:00", "tempo": 90}], "Extra inputs are not permitted"),
    ],
)
def test_cue_sheet_mistakes_are_refused(tmp_path: Path, cues: list[dict], problem: str) -> None:
    with pytest.raises(CuecraftError, match=problem):
        read_cue_sheet(sheet_file(tmp_path, cues), FILM)


def test_non_utf8_cue_sheet(tmp_path: Path) -> None:
    path = tmp_path / "cues.yaml"
    path.write_bytes(b"cues:\n- id: 1M1 \xff\xfe\n")
    with pytest.raises(CuecraftError, match="not a readable YAML cue sheet"):
        read_cue_sheet(path, FILM)


@pytest.mark.parametrize("text, problem", [
    ("", "not a cue sheet: it is empty, or not a mapping with film: and cues:"),
    ("- just\n- a list\n", "not a cue sheet: it is empty, or not a mapping with film: and cues:"),
    ("cues:\n  - {id: 1M1, in: 10:00:00:00, out: 00:00:05:00}\n", "cue 1M1: out 00:00:05:00 is not after in 10:00:00:00"),
])  # fmt: skip
def test_a_sheet_as_an_editor_types_it_is_read_or_refused_in_its_own_words(tmp_path: Path, text: str, problem: str) -> None:
    """Unquoted timecodes stay timecodes (YAML 1.1 would read 10:00:00:00 as the number 2160000)."""
    path = tmp_path / "cues.yaml"
    path.write_text(text)
    with pytest.raises(CuecraftError) as refused:
        read_cue_sheet(path, FILM)
    assert str(refused.value) == f"{path}: {problem}"
    path.write_text("cues:\n  - {id: 1M1, in: 00:00:01:00, out: 00:00:05:12, valence: -0.5}\n")
    (cue,) = read_cue_sheet(path, FILM)
    assert (cue.start_frame, cue.end_frame) == (FILM.frames_at("00:00:01:00"), FILM.frames_at("00:00:05:12")) and cue.entry.valence == -0.5


def test_score_names_a_bad_sheet_in_one_line(tmp_path: Path, test_film, baseline_path: Path) -> None:  # noqa: ANN001
    sheet = sheet_file(tmp_path, [{"id": "1M1", "in": "00:00:00:00", "out": "00:00:10:00", "style": "polka"}])
    result = cuecraft("score", str(test_film[0]), "-o", str(tmp_path / "out"), "--cues", str(sheet), "--model", "baseline",
                      "--model-path", str(baseline_path))  # fmt: skip
    assert result.returncode == 2 and f"{sheet}: cue 1M1: unknown style" in error_line(result)
    assert not (tmp_path / "out" / "project.json").exists()


spans = st.lists(st.tuples(st.integers(1, 24 * 60), st.integers(0, 24 * 30)), min_size=1, max_size=12)


@settings(max_examples=60, deadline=None)
@given(spans)
def test_valid_sheets_round_trip(tmp_path_factory: pytest.TempPathFactory, lengths_and_gaps: list[tuple[int, int]]) -> None:
    entries, position = [], 0
    for i, (length, gap) in enumerate(lengths_and_gaps):
        start = position + gap
        entries.append((f"1M{i + 1}", start, start + length))
        position = start + length
    film = FILM.model_copy(update={"n_frames": position + 1})
    sheet = CueSheet(cues=[CueSheetEntry(id=i, start=film.timecode(a), end=film.timecode(b)) for i, a, b in entries])
    path = tmp_path_factory.mktemp("sheet") / "cues.yaml"
    write_cue_sheet(path, sheet)
    assert [(c.entry.id, c.start_frame, c.end_frame) for c in read_cue_sheet(path, film)] == entries


@settings(max_examples=60, deadline=None)
@given(spans, st.data())
def test_any_overlap_is_refused(tmp_path_factory: pytest.TempPathFactory, lengths_and_gaps, data) -> None:  # noqa: ANN001
    entries, position = [], 0
    for length, gap in lengths_and_gaps:
        entries.append([position + gap, position + gap + length])
        position = position + gap + length
    victim = data.draw(st.integers(0, len(entries) - 1))
    other = data.draw(st.integers(0, len(entries) - 1).filter(lambda i: i != victim)) if len(entries) > 1 else None
    if other is None:
        return
    a, b = entries[victim], entries[other]
    entries[victim] = [b[0], max(b[0] + 1, a[1] if a[1] > b[0] else b[0] + 1)]  # now starts inside `other`
    film = FILM.model_copy(update={"n_frames": max(e[1] for e in entries) + 1})
    sheet = CueSheet(cues=[CueSheetEntry(id=f"1M{i}", start=film.timecode(s), end=film.timecode(e)) for i, (s, e) in enumerate(entries)])
    path = tmp_path_factory.mktemp("sheet") / "cues.yaml"
    write_cue_sheet(path, sheet)
    with pytest.raises(CuecraftError, match="overlap"):
        read_cue_sheet(path, film)


@pytest.mark.parametrize("hostile", ["../../../escaped", "<img src=x onerror=alert(1)>", "act1/1M1", "", "a b", ".hidden", "1M1\U0001f3b5"])
def test_hostile_cue_ids_are_refused_before_any_file_is_named(hostile: str, tmp_path: Path) -> None:
    """A cue id names files and appears on the review page: only a safe pattern is accepted."""
    sheet = tmp_path / "sheet.yaml"
    sheet.write_text(yaml.safe_dump({"cues": [{"id": hostile, "in": "00:00:00:00", "out": "00:00:05:00"}]}))
    film = FilmInfo(path="f.mp4", n_frames=240, fps_num=24, fps_den=1, width=64, height=48, has_audio=False)
    with pytest.raises(CuecraftError, match="is not allowed"):
        read_cue_sheet(sheet, film)
