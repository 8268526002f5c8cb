"""Bad input of every kind ends in one clear line naming the problem, exit status 2, no traceback."""

from pathlib import Path

import pretty_midi
import pytest
import soundfile
import numpy as np

from tests.test_cli import cuecraft, error_line


@pytest.mark.parametrize(
    "args, problem",
    [
        (["generate", "--tempo", "0", "--model", "baseline"], "tempo: Input should be greater than or equal to 20"),
        (["generate", "--tempo", "10000", "--model", "baseline"], "tempo: Input should be less than or equal to 400"),
        (["generate", "--key", "H major", "--model", "baseline"], "not a key name"),
        (["generate", "--arousal", "-7", "--model", "baseline"], "arousal: Input should be greater than or equal to -1"),
        (["generate", "--model", "wavenet"], "unknown model"),
        (["corpus", "query", "--tempo", "fast"], "not a range"),
        (["corpus", "query", "--quadrant", "sideways"], "unknown quadrant"),
    ],
)
def test_bad_settings(tmp_path: Path, args: list[str], problem: str) -> None:
    extra = ["-o", str(tmp_path / "x.mid")] if args[0] == "generate" else ["--catalog", str(tmp_path / "c.db")]
    result = cuecraft(*args, *extra)
    assert result.returncode == 2
    assert problem in error_line(result)
    assert not (tmp_path / "x.mid").exists()


def test_score_refuses_a_bad_key_before_any_work(tmp_path: Path, test_film) -> None:  # noqa: ANN001
    result = cuecraft("score", str(test_film[0]), "-o", str(tmp_path / "out"), "--key", "X minor", "--model", "baseline")
    assert result.returncode == 2 and "home_key" in error_line(result)
    assert not (tmp_path / "out").exists()


def test_audio_only_file_is_not_a_film(tmp_path: Path) -> None:
    sound = tmp_path / "sound.wav"
    soundfile.write(sound, np.zeros(48000, dtype=np.float32), 48000)
    result = cuecraft("score", str(sound), "-o", str(tmp_path / "out"))
    assert result.returncode == 2 and "has no video stream" in error_line(result)


def test_corpus_reports_empty_and_mislabelled_input(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    empty = pretty_midi.PrettyMIDI()
    empty.instruments.append(pretty_midi.Instrument(0))
    empty.write(str(folder / "silent.mid"))
    result = cuecraft("corpus", "add", str(folder), "--catalog", str(tmp_path / "c.db"))
    assert result.returncode == 0 and "silent.mid: cannot analyse: no notes" in result.stderr
    labels = tmp_path / "labels.csv"
    labels.write_bytes("midi,valence,arousal\n\xff\xfe caf\xe9.mid,1,1\n".encode("latin-1"))
    result = cuecraft("corpus", "add", str(folder), "--labels", str(labels), "--catalog", str(tmp_path / "c.db"))
    assert result.returncode == 2 and "not a VGMIDI label file" in error_line(result)
    missing = cuecraft("corpus", "add", str(tmp_path / "nowhere"), "--catalog", str(tmp_path / "c.db"))
    assert missing.returncode == 2 and "no such file or folder" in error_line(missing)


def make_vfr_film(path: Path) -> None:
    """A short H.264 MP4 whose frames last 1, 1 and 3 ticks of 1/48 s in turn: variable frame rate."""
    from fractions import Fraction

    import av

    with av.open(str(path), "w", format="mp4") as out:
        video = out.add_stream("libx264", rate=24)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        video.codec_context.time_base = Fraction(1, 48)
        pts = 0
        for i in range(60):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i * 3, np.uint8), format="rgb24")
            frame.pts, frame.time_base = pts, Fraction(1, 48)
            pts += 1 if i % 3 else 3
            for packet in video.encode(frame):
                out.mux(packet)
        for packet in video.encode():
            out.mux(packet)


def test_variable_frame_rate_video_is_refused_with_the_fix(tmp_path: Path) -> None:
    film = tmp_path / "phone.mp4"
    make_vfr_film(film)
    result = cuecraft("score", str(film), "-o", str(tmp_path / "out"))
    assert result.returncode == 2 and "has a variable frame rate; convert it to a constant rate first" in error_line(result)
    assert not (tmp_path / "out").exists()


def test_corrupt_huge_and_absurd_midi_takes_are_refused_and_harm_nothing(review_project, tmp_path: Path) -> None:  # noqa: ANN001
    folder = review_project.folder
    before = (folder / "project.json").read_bytes()
    good = pretty_midi.PrettyMIDI(str(folder / "cues" / "1M1_t1.mid"))
    truncated = tmp_path / "truncated.mid"
    good.write(str(truncated))
    truncated.write_bytes(truncated.read_bytes()[: len(truncated.read_bytes()) // 2])
    huge = tmp_path / "huge.mid"
    with huge.open("wb") as f:
        f.write(b"MThd\x00\x00\x00\x06\x00\x01\x00\x01\x01\xe0")
        f.truncate(40 * 2**20)
    fast = pretty_midi.PrettyMIDI(initial_tempo=10000)
    fast.instruments.append(pretty_midi.Instrument(0))
    fast.instruments[0].notes.append(pretty_midi.Note(80, 60, 0.0, 0.01))
    absurd = tmp_path / "absurd.mid"
    fast.write(str(absurd))
    for path, problem in ((truncated, "unreadable .mid"), (huge, "too large for a score (40 MB"), (absurd, "tempo 10000 bpm is outside 20-400 bpm")):
        result = cuecraft("import-take", "1M1", str(path), "-p", str(folder))
        assert result.returncode == 2 and problem in error_line(result), error_line(result)
        assert error_line(result).startswith(f"error: {path}")
    assert (folder / "project.json").read_bytes() == before
    assert sorted(p.name for p in (folder / "cues").iterdir()) == sorted(p.name for p in (folder / "cues").iterdir() if "_t1." in p.name)
