"""Composing and rendering cues as independent tasks, in local worker processes or on a
dask.distributed cluster: each task writes its take into the take cache (render.take_cache), and
the scoring run then places every take from the cache, so the score is the same byte for byte
however the work was spread. Workers must see the cache folder (one machine, or a shared disk)."""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cuecraft.executors import in_background, run_all
from cuecraft.model.composer import Composer
from cuecraft.project import Cue, FilmInfo, Theme
from cuecraft.render.synth import Renderer
from cuecraft.render.take_cache import TakeCache
from cuecraft.takes import compose_cue, render_cue


@dataclass(frozen=True)
class CueTask:
    """Everything a worker needs to make one take, as plain data (the project's models as JSON)."""

    key: str  # the take cache's key for this take
    cache: str
    film: str
    cue: str
    theme: str | None
    model: str
    model_file: str
    soundfont: str
    sample_rate: int
    redraws: int


@functools.cache
def composer_from(kind: str, path: str) -> Composer:
    """A composer for cues: a transformer from its decoder weights (.npz: sampling needs no torch, and a
    process without it is some 200 MB smaller), any other model as loaded by name."""
    if kind == "transformer" and path.endswith(".npz"):
        from cuecraft.model.decoder import DecoderWeights
        from cuecraft.model.sampling import TransformerComposer

        return TransformerComposer(DecoderWeights.load(Path(path)))
    from cuecraft.model.loading import load_composer

    return load_composer(kind, Path(path), Path(path))  # type: ignore[arg-type]


def sampling_model(kind: str, model_file: Path, fingerprint: str, cache: TakeCache) -> Path:
    """What cues are composed from: a transformer's decoder weights, exported once into the take cache
    (named by the checkpoint's content) by a short-lived process that loads the checkpoint with torch,
    so neither the scoring process nor its workers ever load torch; any other model's own file."""
    if kind != "transformer":
        return model_file
    path = cache.folder / f"decoder-{fingerprint}.npz"
    if not path.exists():
        with in_background(export_decoder_weights, str(model_file), str(path)) as exported:
            exported.get()
    return path


def export_decoder_weights(checkpoint: str, out: str) -> None:
    """Load a transformer checkpoint (a damaged one is named as such) and save its decoder weights as .npz."""
    from cuecraft.model.checkpoint import load_model
    from cuecraft.model.decoder import DecoderWeights

    model, _ = load_model(Path(checkpoint))
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    DecoderWeights.of(model).save(Path(out))


@functools.cache
def _renderer(soundfont: str, sample_rate: int) -> Renderer:
    return Renderer(Path(soundfont), sample_rate)


def make_take(task: CueTask) -> str:
    """Compose and render one cue into the take cache (each worker loads the model and SoundFont once)."""
    film, cue = FilmInfo.model_validate_json(task.film), Cue.model_validate_json(task.cue)
    theme = Theme.model_validate_json(task.theme) if task.theme else None
    midi, report = compose_cue(composer_from(task.model, task.model_file), film, cue, cue.settings, theme, task.redraws)
    audio = render_cue(_renderer(task.soundfont, task.sample_rate), film, cue, midi, cue.settings)
    TakeCache(Path(task.cache)).store(task.key, midi, audio, task.sample_rate, report.model_dump_json())
    return task.key


def make_takes(tasks: list[CueTask], workers: int, scheduler: str | None, on_done: Callable[[], None]) -> None:
    """Run every task (see executors.run_all), calling `on_done` as each take lands in the cache."""
    for _ in run_all(make_take, tasks, workers, scheduler):
        on_done()
