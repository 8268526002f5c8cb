"""The `cuecraft` command line: one verb per job, each a thin call into the library."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.console import Console

from cuecraft.config import DEFAULT_MODEL_PATH, ScoreConfig
from cuecraft.errors import CuecraftError
from cuecraft.progress import RichProgress

app = typer.Typer(
    help="cuecraft: score films with a learned model, a human composer in charge.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(stderr=True)


@app.command()
def score(
    film: Annotated[Path, typer.Argument(help="the film to score (any video PyAV/FFmpeg reads)")],
    out: Annotated[Path, typer.Option("-o", "--out", help="output folder")],
    model_path: Annotated[Path, typer.Option(help="baseline model file")] = DEFAULT_MODEL_PATH,
    soundfont: Annotated[Optional[Path], typer.Option(help="General MIDI SoundFont (.sf2)")] = None,
    target_lufs: Annotated[float, typer.Option(help="integrated loudness of the score")] = -24.0,
    true_peak: Annotated[float, typer.Option(help="true-peak ceiling, dBTP")] = -1.0,
    min_cue: Annotated[float, typer.Option(help="shortest cue, seconds")] = 6.0,
    max_cue: Annotated[float, typer.Option(help="longest cue, seconds")] = 150.0,
    key: Annotated[Optional[str], typer.Option(help="home key, e.g. 'D minor' (default: from the film's mood)")] = None,
    seed: Annotated[int, typer.Option(help="random seed: the same seed gives the same score")] = 0,
) -> None:
    """Spot FILM into cues, compose and render each, mix to a loudness target and lay it into the film."""
    from cuecraft.scoring import score_film

    config = ScoreConfig(
        model_path=model_path, soundfont=soundfont, loudness_target_lufs=target_lufs, true_peak_ceiling_dbtp=true_peak,
        min_cue_s=min_cue, max_cue_s=max_cue, home_key=key, seed=seed,
    )  # fmt: skip
    progress = RichProgress()
    try:
        result = score_film(film, out, config, progress)
    finally:
        progress.close()
    project = result.project
    console.print(f"scored {len(project.cues)} cues in {project.home_key}; loudness "
                  f"{result.loudness.integrated_lufs:.1f} LUFS, true peak {result.loudness.true_peak_dbtp:.1f} dBTP")
    for cue in project.cues:
        s = cue.settings
        console.print(f"  {cue.id}  {project.film.timecode(cue.start_frame)} - {project.film.timecode(cue.end_frame)}"
                      f"  {cue.mood.quadrant:<26} {s.key:<9} {s.tempo:>5.0f} bpm")
    console.print(f"wrote {out}/score.wav, {out}/scored.mp4, {out}/project.json and {len(project.cues)} cue MIDI files")


@app.command("train-baseline")
def train_baseline_command(
    data: Annotated[list[Path], typer.Argument(help="MIDI files or folders")] = [Path("../shared/data/vgmidi")],
    out: Annotated[Path, typer.Option("-o", "--out", help="model file to write")] = DEFAULT_MODEL_PATH,
    max_order: Annotated[int, typer.Option(help="longest context of the Markov chains")] = 4,
) -> None:
    """Train the variable-order Markov baseline on MIDI files (deduplicated by content)."""
    from cuecraft.model.baseline import train_baseline

    progress = RichProgress()
    progress.start("reading MIDI")
    try:
        model = train_baseline(data, max_order=max_order, on_file=lambda done, total: _set_progress(progress, done, total))
        progress.start("saving model")
        model.save(out)
    finally:
        progress.close()
    r = model.report
    console.print(f"trained on {r.pieces_major} major + {r.pieces_minor} minor pieces ({r.tokens} tokens, "
                  f"vocabulary {r.vocabulary}; skipped {r.duplicates} duplicates, {r.unreadable} unreadable, "
                  f"{r.other_meter} not in 4/4) in {r.seconds:.0f} s -> {out}")


def _set_progress(progress: RichProgress, done: int, total: int) -> None:
    if done == 1:
        progress.start("reading MIDI", total)
    progress.advance()


@app.command()
def probe(film: Annotated[Path, typer.Argument(help="a video file")]) -> None:
    """Print what cuecraft reads from a video: frames, frame rate, size, duration, audio."""
    from cuecraft.film.probe import probe_video

    print(json.dumps(probe_video(film).model_dump(), indent=2))


def main() -> None:
    """Entry point: bad input ends in one line on stderr and exit status 2, never a traceback."""
    try:
        app()
    except CuecraftError as exc:
        print(f"error: {exc}", file=sys.stderr)  # plain print: one line, never wrapped
        sys.exit(2)
