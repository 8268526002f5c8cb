"""Issue 13's absurd settings and the review store's file: refused in one line before any work, or
kept private (the part of the QA pass closed so far)."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from cuecraft.errors import CuecraftError
from cuecraft.review.store import STORE_FILE, ProjectStore
from tests.test_cli import cuecraft, error_line


@pytest.mark.parametrize(
    "args, problem",
    [
        (["--target-lufs", "-100"], "loudness_target_lufs: Input should be greater than or equal to -60"),
        (["--target-lufs", "nan"], "loudness_target_lufs: Input should be a finite number"),
        (["--target-lufs", "0"], "loudness_target_lufs: Input should be less than or equal to -5"),
        (["--true-peak", "5"], "true_peak_ceiling_dbtp: Input should be less than or equal to 0"),
        (["--min-cue", "20", "--max-cue", "10"], "the shortest cue (20 s) is longer than the longest (10 s)"),
        (["--seed", "99999999999999999999999"], "--seed"),
        (["--seed", "-1"], "--seed"),
    ],
)
def test_absurd_score_settings_are_refused_before_any_work(tmp_path: Path, test_film, args: list[str], problem: str) -> None:  # noqa: ANN001
    out = tmp_path / "out"
    result = cuecraft("score", str(test_film[0]), "-o", str(out), "--model", "baseline", *args)
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert problem in (error_line(result) if result.stderr.startswith("error:") else result.stderr)
    assert not out.exists()


def test_generate_refuses_a_seed_numpy_cannot_take(tmp_path: Path) -> None:
    result = cuecraft("generate", "--model", "baseline", "--seed", str(2**70), "-o", str(tmp_path / "x.mid"))
    assert result.returncode == 2 and "Traceback" not in result.stderr and "--seed" in result.stderr
    assert not (tmp_path / "x.mid").exists()


def test_the_store_is_not_made_outside_a_project_and_is_private(tmp_path: Path, scored) -> None:  # noqa: ANN001
    with pytest.raises(CuecraftError):
        ProjectStore(tmp_path)
    assert not (tmp_path / STORE_FILE).exists()  # an empty folder stays empty: `score` can still write into it
    project = tmp_path / "project"
    project.mkdir()
    (project / "project.json").write_text((scored.outdir / "project.json").read_text())
    ProjectStore(project)
    assert stat.S_IMODE((project / STORE_FILE).stat().st_mode) & 0o077 == 0  # password and session hashes: owner only
