"""Bad input of every kind ends in one clear line naming the problem, exit status 2, no traceback."""

import errno
import os
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


def write_frames(path: Path, n: int, faststart: bool = False) -> None:
    """A tiny H.264 MP4 of `n` frames (its index at the front with `faststart`, as streaming sites publish)."""
    from fractions import Fraction

    import av

    with av.open(str(path), "w", format="mp4", options={"movflags": "faststart"} if faststart else {}) as out:
        video = out.add_stream("libx264", rate=24)
        video.width, video.height, video.pix_fmt = 64, 48, "yuv420p"
        for i in range(n):
            frame = av.VideoFrame.from_ndarray(np.full((48, 64, 3), i % 250, np.uint8), format="rgb24")
            frame.pts, frame.time_base = i, Fraction(1, 24)
            out.mux(video.encode(frame))
        out.mux(video.encode())


def bad_film(kind: str, folder: Path) -> Path:
    """One file of the bad-input corpus."""
    path = folder / f"{kind}.mp4"
    if kind == "zero-byte":
        path.write_bytes(b"")
    elif kind == "text-as-mp4":
        path.write_text("this is not a film\n")
    elif kind == "one-frame":
        write_frames(path, 1)
    elif kind == "still-image":
        import cv2

        path = folder / "still.png"
        cv2.imwrite(str(path), np.full((48, 64, 3), 128, np.uint8))
    elif kind == "truncated":
        write_frames(path, 240, faststart=True)
        data = path.read_bytes()
        path.write_bytes(data[: len(data) * 6 // 10])
    elif kind == "folder":
        path = folder / "a-folder.mp4"
        path.mkdir()
    return path


@pytest.mark.parametrize("kind, problem", [
    ("zero-byte", "not a readable video"),
    ("text-as-mp4", "not a readable video"),
    ("one-frame", "is a still image or too short to score"),
    ("still-image", "is a still image or too short to score"),
    ("truncated", "is cut short: its header promises 240 frames, the file holds"),
    ("folder", "is a folder, not a video file"),
])  # fmt: skip
def test_bad_films_get_one_line_and_leave_nothing(tmp_path: Path, kind: str, problem: str) -> None:
    film = bad_film(kind, tmp_path)
    result = cuecraft("score", str(film), "-o", str(tmp_path / "out"), "--model", "baseline")
    assert result.returncode == 2 and problem in error_line(result), result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "out").exists() and not list(tmp_path.glob(".out.partial-*"))


@pytest.mark.parametrize("extra, problem", [
    (["--cues", "{deep}"], "its YAML is nested too deeply"),
    (["--model", "transformer", "--model-path", "{zero}"], "damaged transformer checkpoint (EOFError: the file is empty or cut short)"),
    (["--soundfont", "/etc/passwd"], "not a SoundFont"),
    (["--subtitles", "{empty_srt}"], "holds no subtitles"),
    (["--subtitles", "{late_srt}"], "start after the film ends"),
])  # fmt: skip
def test_bad_companions_of_a_good_film_get_one_line(tmp_path: Path, test_film, baseline_path: Path, extra: list[str], problem: str) -> None:  # noqa: ANN001
    files = {"deep": tmp_path / "deep.yaml", "zero": tmp_path / "zero.pt", "empty_srt": tmp_path / "empty.srt", "late_srt": tmp_path / "late.srt"}
    files["deep"].write_text("[" * 20000 + "]" * 20000)
    files["zero"].write_bytes(b"")
    files["empty_srt"].write_text("")
    files["late_srt"].write_text("1\n01:00:00,000 --> 01:00:02,000\nHello?\n")
    args = [a.format(**files) for a in extra]
    result = cuecraft("score", str(test_film[0]), "-o", str(tmp_path / "out"), *args,
                      *(["--model", "baseline", "--model-path", str(baseline_path)] if "--model" not in args else []))  # fmt: skip
    assert result.returncode == 2 and problem in error_line(result), result.stderr
    assert "Traceback" not in result.stderr and not (tmp_path / "out").exists()


@pytest.mark.parametrize("bars", ["0", "-5", "100000"])
def test_generate_refuses_absurd_lengths(tmp_path: Path, bars: str) -> None:
    result = cuecraft("generate", "--bars", bars, "--model", "baseline", "-o", str(tmp_path / "x.mid"))
    assert result.returncode == 2 and "--bars" in result.stderr and not (tmp_path / "x.mid").exists()


def test_a_cue_sheet_without_music_gives_a_silent_score(tmp_path: Path, test_film, baseline_path: Path) -> None:  # noqa: ANN001
    sheet = tmp_path / "dry.yaml"
    sheet.write_text("cues:\n- id: 1M1\n  in: '00:00:00:00'\n  out: '00:00:09:00'\n  music: false\n")
    result = cuecraft("score", str(test_film[0]), "-o", str(tmp_path / "out"), "--cues", str(sheet), "--model", "baseline",
                      "--model-path", str(baseline_path))  # fmt: skip
    assert result.returncode == 0, result.stderr
    audio, rate = soundfile.read(tmp_path / "out" / "score.wav")
    assert rate == 48000 and len(audio) == 69 * 48000 and not np.any(audio)


def test_staging_left_by_a_killed_run_is_cleaned_at_the_next(tmp_path: Path) -> None:
    import subprocess
    import sys

    from cuecraft.atomic import OWNER, staged_folder

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead, live = tmp_path / ".out.partial-dead", tmp_path / ".out.partial-live"
    for folder, pid in ((dead, gone.stdout.strip()), (live, str(os.getpid()))):
        folder.mkdir()
        (folder / OWNER).write_text(pid)
        (folder / "score.wav").write_bytes(b"x" * 1000)
    with staged_folder(tmp_path / "out") as staging:
        (staging / "a.txt").write_text("a")
    assert not dead.exists() and live.exists()  # a run still writing is left alone
    assert (tmp_path / "out" / "a.txt").read_text() == "a" and not (tmp_path / "out" / OWNER).exists()


def test_sigterm_stops_a_score_and_removes_its_staging(tmp_path: Path, test_film, baseline_path: Path) -> None:  # noqa: ANN001
    import signal
    import subprocess
    import sys
    import time

    process = subprocess.Popen([sys.executable, "-m", "cuecraft", "score", str(test_film[0]), "-o", str(tmp_path / "out"),
                                "--model", "baseline", "--model-path", str(baseline_path)], stderr=subprocess.PIPE, text=True)  # fmt: skip
    deadline = time.monotonic() + 120
    while not list(tmp_path.glob(".out.partial-*")) and time.monotonic() < deadline and process.poll() is None:
        time.sleep(0.05)
    assert process.poll() is None, "the run ended before it could be stopped"
    process.send_signal(signal.SIGTERM)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 143 and "SIGTERM" in stderr and "Traceback" not in stderr
    assert not list(tmp_path.glob(".out.partial-*")) and not (tmp_path / "out").exists()


def test_no_room_to_write_is_said_before_any_work(tmp_path: Path, monkeypatch) -> None:  # noqa: ANN001
    import shutil
    from collections import namedtuple

    from cuecraft.atomic import check_room_to_write
    from cuecraft.errors import CuecraftError

    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda _: usage(10**9, 10**9 - 5 * 2**20, 5 * 2**20))
    with pytest.raises(CuecraftError, match="not enough free space: about 100 MB needed, 5 MB free"):
        check_room_to_write(tmp_path / "out", 100 * 2**20)


@pytest.mark.parametrize("code, said", [(errno.ENOSPC, "no space left on the device"), (errno.EROFS, "the file system is read-only")])
def test_a_disk_that_fills_or_turns_read_only_mid_run_gets_one_line(code: int, said: str, monkeypatch, capsys) -> None:  # noqa: ANN001
    """Past the preflight (the disk fills while writing): one line naming the file and the problem, exit 2."""
    from cuecraft import cli

    def full(*_args, **_kwargs) -> None:  # noqa: ANN002, ANN003
        raise OSError(code, os.strerror(code), "/scores/out/score.wav")

    monkeypatch.setattr(cli, "app", full)
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and err == f"error: /scores/out/score.wav: {said} (nothing earlier was overwritten)\n"


def test_a_sound_file_refused_by_the_system_mid_write_gets_one_line(monkeypatch, capsys) -> None:  # noqa: ANN001
    from cuecraft import cli

    def refused(*_args, **_kwargs) -> None:  # noqa: ANN002, ANN003
        raise soundfile.LibsndfileError(cli.SNDFILE_SYSTEM_ERROR)  # what libsndfile raises when the disk fills

    monkeypatch.setattr(cli, "app", refused)
    with pytest.raises(SystemExit) as stopped:
        cli.main()
    err = capsys.readouterr().err
    assert stopped.value.code == 2 and err.count("\n") == 1 and "the disk is full or the output read-only" in err
