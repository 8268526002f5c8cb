"""Mood from words: offline sentence embeddings on sentences with obvious moods, strict subtitle and
screenplay readers, and words moving the spotted cues' moods."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from cuecraft.config import ScoreConfig
from cuecraft.errors import CuecraftError
from cuecraft.film.probe import probe_video
from cuecraft.film.subtitles import read_scenes, read_srt, words_per_cue
from cuecraft.film.text_mood import moods_of
from cuecraft.progress import SilentProgress
from cuecraft.scoring import StageClock, spot_film
from tests.conftest import ONE_CUE_PER_SHOT

OBVIOUS = {
    "They laugh and hug at the wedding, everyone is so happy.": (1, None),
    "He dies alone in the cold hospital while his wife weeps.": (-1, None),
    "Explosions everywhere! Run, they are shooting at us!": (None, 1),
    "She sleeps quietly by the calm lake at dawn.": (None, -1),
    "We won! The crowd cheers and dances in the streets.": (1, 1),
    "The funeral is slow and silent; nobody speaks.": (-1, -1),
}


def test_sentences_with_obvious_moods_land_in_their_quadrant() -> None:
    moods = moods_of(list(OBVIOUS))
    for (sentence, (valence, arousal)), mood in zip(OBVIOUS.items(), moods):
        if valence is not None:
            assert mood.valence * valence > 0.2, (sentence, mood)
        if arousal is not None:
            assert mood.arousal * arousal > 0.2, (sentence, mood)


def test_style_tags_from_scene_descriptions() -> None:
    battle, city = moods_of(["Soldiers charge into battle as the war drums pound.", "A hacker types as the neon city flickers on a hundred screens."])
    assert battle.style == "action-percussion" and city.style == "electronic"


SRT = """1
00:00:01,000 --> 00:00:03,500
<i>We did it!</i> We won!

2
00:00:12,000 --> 00:00:14,000
He's gone. I'm so sorry.
"""


def test_srt_is_read_with_times_and_without_markup(tmp_path: Path) -> None:
    path = tmp_path / "film.srt"
    path.write_text(SRT)
    subtitles = read_srt(path)
    assert [(s.start_s, s.end_s, s.text) for s in subtitles] == [(1.0, 3.5, "We did it! We won!"), (12.0, 14.0, "He's gone. I'm so sorry.")]


@pytest.mark.parametrize("text, problem", [
    ("1\n00:00:01,000 -> 00:00:02,000\nhi\n", "line 2: bad timestamp"),
    ("1\n00:00:05,000 --> 00:00:02,000\nhi\n", "line 2: the subtitle ends before it starts"),
    ("1\n00:61:01,000 --> 00:62:02,000\nhi\n", "line 2: bad timestamp (minutes and seconds"),
    ("hello\n", "line 1: expected a subtitle number"),
])  # fmt: skip
def test_bad_subtitles_name_the_file_and_line(tmp_path: Path, text: str, problem: str) -> None:
    path = tmp_path / "bad.srt"
    path.write_text(text)
    with pytest.raises(CuecraftError) as raised:
        read_srt(path)
    assert problem in str(raised.value) and str(path) in str(raised.value)


def test_non_utf8_text_is_refused_clearly(tmp_path: Path) -> None:
    path = tmp_path / "latin1.srt"
    path.write_bytes("1\n00:00:01,000 --> 00:00:02,000\nCaf\xe9\n".encode("latin-1"))
    with pytest.raises(CuecraftError, match="is not UTF-8 text"):
        read_srt(path)


def test_fountain_scenes_and_plain_paragraphs(tmp_path: Path) -> None:
    fountain = tmp_path / "film.fountain"
    fountain.write_text("Title: Demo\n\nINT. HOSPITAL - NIGHT\n\nAnna waits alone.\n\nEXT. BEACH - DAY\n\nThe kids run into the waves.\n")
    assert read_scenes(fountain) == ["INT. HOSPITAL - NIGHT Anna waits alone.", "EXT. BEACH - DAY The kids run into the waves."]
    brief = tmp_path / "brief.txt"
    brief.write_text("A quiet dawn.\n\nThe chase begins.\n")
    assert read_scenes(brief) == ["A quiet dawn.", "The chase begins."]


def test_words_are_shared_out_by_time() -> None:
    from cuecraft.film.subtitles import Subtitle

    texts = words_per_cue([(0, 10), (10, 20)], 20.0, [Subtitle(12, 13, "hello")], ["calm scene", "wild scene"])
    assert texts == ["calm scene", "wild scene hello"]


def test_subtitles_move_the_spotted_moods(test_film, tmp_path: Path) -> None:  # noqa: ANN001
    film = probe_video(test_film[0])
    cues_seconds = [c / 24 for c in [0, *test_film[1]]]
    sad = tmp_path / "sad.srt"
    blocks = [f"{i + 1}\n00:00:{int(t) + 1:02d},000 --> 00:00:{int(t) + 3:02d},000\nShe died. We buried her in the rain and wept.\n"
              for i, t in enumerate(cues_seconds)]  # fmt: skip
    sad.write_text("\n".join(blocks))
    plain = spot_film(film, ScoreConfig(**ONE_CUE_PER_SHOT), StageClock(SilentProgress())).cues
    worded = spot_film(film, ScoreConfig(**ONE_CUE_PER_SHOT, subtitles=sad, words_weight=0.6), StageClock(SilentProgress())).cues
    (said,) = moods_of(["She died. We buried her in the rain and wept."])
    assert said.valence < -0.2
    for p, w in zip(plain, worded):  # each cue moved 60 % of the way to the words' mood
        assert w.mood.valence == pytest.approx(0.4 * p.mood.valence + 0.6 * said.valence, abs=2e-3)
        assert w.mood.arousal == pytest.approx(0.4 * p.mood.arousal + 0.6 * said.arousal, abs=2e-3)


def test_bad_subtitles_on_the_command_line_are_one_line(test_film, tmp_path: Path) -> None:  # noqa: ANN001
    bad = tmp_path / "bad.srt"
    bad.write_text("1\n00:00:01 --> 00:00:02\nhi\n")
    result = subprocess.run([sys.executable, "-m", "cuecraft", "spot", str(test_film[0]), "--subtitles", str(bad), "-o", str(tmp_path / "c.yaml")],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 2 and result.stderr.strip().splitlines() == [f"error: {bad}: line 2: bad timestamp (expected HH:MM:SS,mmm --> HH:MM:SS,mmm)"]
    assert not (tmp_path / "c.yaml").exists()


def test_a_line_of_dialogue_across_a_cut_keeps_the_shots_in_one_cue_and_is_not_hit(test_film, tmp_path: Path) -> None:  # noqa: ANN001
    film = probe_video(test_film[0])
    cut = test_film[1][2]  # 696: between two shots that automatic spotting keeps apart
    plain = spot_film(film, ScoreConfig(**ONE_CUE_PER_SHOT), StageClock(SilentProgress())).cues
    assert cut in [c.start_frame for c in plain]
    srt = tmp_path / "talk.srt"
    srt.write_text(f"1\n00:00:{cut // 24 - 1:02d},000 --> 00:00:{cut // 24 + 2:02d},000\nWait, don't go. Not yet.\n")
    talking = spot_film(film, ScoreConfig(**ONE_CUE_PER_SHOT, subtitles=srt), StageClock(SilentProgress())).cues
    assert cut not in [c.start_frame for c in talking]
    (holding,) = [c for c in talking if c.start_frame < cut < c.end_frame]
    assert cut not in holding.hit_points  # the music does not hit in the middle of a line
    assert holding.dialogue and all(holding.start_frame <= a < b <= holding.end_frame for a, b in holding.dialogue)
