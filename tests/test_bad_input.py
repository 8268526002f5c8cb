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
