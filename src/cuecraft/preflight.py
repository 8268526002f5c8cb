"""Checks made before any slow work, and before the heavy libraries load: the output folder, the film,
the SoundFont, the model file, the room to write and the companion files. A bad input is named in
about a second."""

from __future__ import annotations

from pathlib import Path

from cuecraft.atomic import check_room_to_write
from cuecraft.config import DEFAULT_BASELINE_PATH, ScoreConfig
from cuecraft.errors import CuecraftError
from cuecraft.film.cue_sheet import read_cue_sheet
from cuecraft.film.probe import probe_video
from cuecraft.film.subtitles import check_against_film, read_srt
from cuecraft.model.paths import require_model_file, resolve_model_path
from cuecraft.project import PROJECT_FILE, FilmInfo, Project, TakeStatus
from cuecraft.render.soundfont import find_soundfont
from cuecraft.review.store import STORE_FILE


def preflight(film_path: str | Path, outdir: Path, config: ScoreConfig) -> FilmInfo:
    """The film's facts, once every input of a scoring run has been checked (a CuecraftError otherwise)."""
    refuse_to_overwrite(outdir)
    film = probe_video(film_path)
    find_soundfont(config.soundfont)
    require_model_file(config.model, resolve_model_path(config.model, config.model_path, DEFAULT_BASELINE_PATH))
    check_room_to_write(outdir, output_bytes(film, config.sample_rate))
    if config.subtitles:
        check_against_film(config.subtitles, read_srt(config.subtitles), film.duration_s)
    if config.cues:
        read_cue_sheet(config.cues, film)
    return film


def output_bytes(film: FilmInfo, sample_rate: int) -> int:
    """About how much disk a scoring run needs: the score and the takes (24-bit stereo), the mix's
    cue audio while it is made (32-bit), and the scored film (its picture plus the new sound)."""
    samples = film.frames_to_samples(film.n_frames, sample_rate)
    return samples * 2 * (3 + 3 + 4) + Path(film.path).stat().st_size + samples // 4


def refuse_to_overwrite(outdir: Path) -> None:
    """An OUTDIR whose project has approved takes, or is under review, is a composer's work: never score over it."""
    if (outdir / STORE_FILE).is_file():
        raise CuecraftError(outdir, f"is under review ({STORE_FILE}); score into a new folder")
    if not (outdir / PROJECT_FILE).is_file():
        return
    existing = Project.load(outdir)
    if any(t.status == TakeStatus.approved for c in existing.cues for t in c.takes):
        raise CuecraftError(outdir, "holds approved takes; score into a new folder")
