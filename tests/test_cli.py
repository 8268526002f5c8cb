"""Bad input ends in one clear line and a non-zero exit, and never leaves or harms files."""

import subprocess
import sys
from pathlib import Path

import av
import pytest

from cuecraft.project import Project, TakeStatus
from cuecraft.scoring import ScoreResult


def cuecraft(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cuecraft", *args], capture_output=True, text=True, cwd=cwd, timeout=300)


def zero_length_film(path: Path) -> Path:
    with av.open(str(path), "w", format="mp4") as out:
        stream = out.add_stream("libx264", rate=24)
        stream.width, stream.height, stream.pix_fmt = 64, 64, "yuv420p"
        out.start_encoding()
    return path


def error_line(result: subprocess.CompletedProcess[str]) -> str:
    lines = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "make, problem",
    [
        (lambda d: d / "missing.mp4", "no such file"),
        (lambda d: (d / "noise.mp4").write_bytes(bytes(range(256)) * 40) and d / "noise.mp4", "not a readable video"),
        (lambda d: zero_length_film(d / "empty.mp4"), "zero length"),
    ],
    ids=["missing", "unreadable", "zero-length"],
)
def test_bad_films_fail_cleanly(tmp_path: Path, make, problem: str) -> None:
    film = make(tmp_path)
    out = tmp_path / "out"
    result = cuecraft("score", str(film), "-o", str(out))
    assert result.returncode == 2
    line = error_line(result)
    assert str(film) in line and problem in line
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".out.partial")]


def test_missing_model_is_named(tmp_path: Path, test_film: tuple[Path, list[int]]) -> None:
    for model, problem in (("baseline", "no baseline model here"), ("transformer", "no transformer checkpoint here")):
        missing = tmp_path / f"none-{model}.bin"
        result = cuecraft("score", str(test_film[0]), "-o", str(tmp_path / "o"), "--model", model, "--model-path", str(missing))
        assert result.returncode == 2
        assert f"{missing}: {problem}" in error_line(result)


def test_a_folder_with_approved_takes_is_never_scored_over(tmp_path: Path, scored: ScoreResult, test_film, baseline_path) -> None:
    project = Project.load(scored.outdir)
    project.cues[0].takes[0].status = TakeStatus.approved
    folder = tmp_path / "approved"
    folder.mkdir()
    project.save(folder)
    before = (folder / "project.json").read_bytes()
    result = cuecraft("score", str(test_film[0]), "-o", str(folder), "--model", "baseline", "--model-path", str(baseline_path))
    assert result.returncode == 2
    assert "holds approved takes" in error_line(result)
    assert (folder / "project.json").read_bytes() == before


def test_a_stage_that_fails_is_not_shown_as_complete() -> None:
    from cuecraft.progress import RichProgress

    progress = RichProgress()
    progress.start("compose and render cues", 4)
    progress.advance(1)
    try:
        try:
            raise RuntimeError("the disk filled")
        finally:
            progress.close()
    except RuntimeError:
        pass
    task = progress._progress.tasks[-1]  # noqa: SLF001
    assert task.completed == 1 and task.total == 4 and task.description.endswith("(stopped)")
    done = RichProgress()
    done.start("mix", 2)
    done.close()
    assert done._progress.tasks[-1].completed == 2  # noqa: SLF001 - a stage that ended well fills its bar
