"""Making a take of a cue: compose it (or take a composer's MIDI) and render it to the cue's exact
length, then write its files into the project folder under a new, never reused take number."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pretty_midi
import soundfile

from cuecraft.atomic import atomic_path
from cuecraft.compose.cue_plan import intensity_for
from cuecraft.compose.cue_writer import KEY_ATTEMPTS, write_cue
from cuecraft.compose.styles import ENSEMBLES
from cuecraft.model.composer import RETRY_SEED_STEP, Composer
from cuecraft.model.events import midi_notes
from cuecraft.model.originality import first_original, shipped_index
from cuecraft.project import Cue, FilmInfo, MusicSettings, OriginalityReport, Take, Theme
from cuecraft.render.levels import level_gain, planned_loudness
from cuecraft.render.room import ROOMS, Room
from cuecraft.render.stems import render_stems, sum_stems
from cuecraft.render.synth import Renderer, cut

CUES_DIR = "cues"
TAIL_SECONDS = 1.5  # how long a cue's last notes ring on past its out point, fading out, in the mix
REDRAWS = 2  # a draw flagged as copying its training music is drawn again (another seed) at most this often


def cue_samples(film: FilmInfo, cue: Cue, sample_rate: int) -> tuple[int, int]:
    """First sample and sample count of a cue on the film's timeline (frame-exact)."""
    start = film.frames_to_samples(cue.start_frame, sample_rate)
    return start, film.frames_to_samples(cue.end_frame, sample_rate) - start


def hit_seconds(film: FilmInfo, cue: Cue) -> list[float]:
    """The cue's hit points in seconds from its start."""
    return [float(film.frames_to_seconds(h - cue.start_frame)) for h in cue.hit_points]


def compose_cue(composer: Composer, film: FilmInfo, cue: Cue, settings: MusicSettings, theme: Theme | None,
                redraws: int = REDRAWS) -> tuple[pretty_midi.PrettyMIDI, OriginalityReport]:  # fmt: skip
    """The cue's music (exactly its length, its hit points on beats, quoting the theme, in its form and
    thinned under its lines) and its originality report. A draw that shares more with one training
    piece than real music does is drawn again with another seed, up to `redraws` times; the report
    names every draw it replaced."""
    seconds, hits = float(film.frames_to_seconds(cue.n_frames)), hit_seconds(film, cue)
    since = lambda frame: float(film.frames_to_seconds(frame - cue.start_frame))  # noqa: E731
    sections = [(since(s.start_frame), s.intensity) for s in cue.sections]
    lines = [(since(a), since(b)) for a, b in cue.dialogue]

    def draw(attempt: int) -> pretty_midi.PrettyMIDI:
        again = settings.model_copy(update={"seed": settings.seed + RETRY_SEED_STEP * KEY_ATTEMPTS * attempt})
        return write_cue(composer, again, seconds, theme, cue.mood, hits, sections, lines)

    return first_original(draw, originality_of, redraws)


def originality_of(midi: pretty_midi.PrettyMIDI) -> OriginalityReport:
    """How much of a take's melody the shipped model's training music already holds."""
    return shipped_index().report(midi_notes(midi))


def render_cue_stems(renderer: Renderer, film: FilmInfo, cue: Cue, midi: pretty_midi.PrettyMIDI, settings: MusicSettings,
                     mixdown: bool = False) -> dict[str, np.ndarray]:  # fmt: skip
    """The cue's family stems as they go into the mix: the cue long plus its tail, in its ensemble's
    room, together at the loudness planned for the take's intensity and trim (render.levels): valence
    changes how hard the notes are played, not how loud the cue sits in the mix. `mixdown`: one stem, the mix."""
    _, n = cue_samples(film, cue, renderer.sample_rate)
    tail = tail_samples(renderer.sample_rate)
    stems = render_stems(renderer, midi, n, tail, room_of(settings), mixdown)
    target = planned_loudness(intensity_for(settings.velocity, cue.mood.valence, cue.mood.arousal), settings.level_db)
    gain = np.float32(level_gain(sum_stems(stems, n + tail), renderer.sample_rate, target))
    for audio in stems.values():
        audio *= gain  # in place: a long cue's stems are hundreds of megabytes
    return stems


def room_of(settings: MusicSettings) -> Room:
    """The hall the take's ensemble plays in (compose.styles names it, render.room describes it)."""
    return ROOMS[ENSEMBLES[settings.style].room]


def render_cue(renderer: Renderer, film: FilmInfo, cue: Cue, midi: pretty_midi.PrettyMIDI, settings: MusicSettings) -> np.ndarray:
    """The cue's audio as it goes into the mix: the sum of its stems (render_cue_stems), mixed down as they are made."""
    _, n = cue_samples(film, cue, renderer.sample_rate)
    return sum_stems(render_cue_stems(renderer, film, cue, midi, settings, mixdown=True), n + tail_samples(renderer.sample_rate))


def tail_samples(sample_rate: int) -> int:
    return round(TAIL_SECONDS * sample_rate)


def take_audio(mixed: np.ndarray, film: FilmInfo, cue: Cue, sample_rate: int) -> np.ndarray:
    """A take's own file: its mix audio cut (with a short fade) at the cue's out point."""
    return cut(mixed, cue_samples(film, cue, sample_rate)[1], sample_rate)


def render_take(renderer: Renderer, film: FilmInfo, cue: Cue, midi: pretty_midi.PrettyMIDI, settings: MusicSettings) -> np.ndarray:
    """A new take's own audio: rendered as for the mix, cut at the cue's out point."""
    return take_audio(render_cue(renderer, film, cue, midi, settings), film, cue, renderer.sample_rate)


def next_take_number(folder: Path, cue: Cue) -> int:
    """One more than any take number the cue or its files have used (numbers are never reused)."""
    used = [int(t.id.rsplit("-t", 1)[1]) for t in cue.takes if t.id.rsplit("-t", 1)[-1].isdigit()]
    used += [int(p.stem.rsplit("_t", 1)[1]) for p in (folder / CUES_DIR).glob(f"{cue.id}_t*.mid") if p.stem.rsplit("_t", 1)[1].isdigit()]
    return max(used, default=0) + 1


def new_take(cue: Cue, number: int, settings: MusicSettings, model: str, source: str = "generated",
             originality: OriginalityReport | None = None) -> Take:  # fmt: skip
    """Take number `number` of the cue: id `1M2-t3`, files `cues/1M2_t3.mid` and `.wav` (not yet written)."""
    return Take(id=f"{cue.id}-t{number}", settings=settings, model=model, source=source, originality=originality,
                midi=f"{CUES_DIR}/{cue.id}_t{number}.mid", audio=f"{CUES_DIR}/{cue.id}_t{number}.wav")  # fmt: skip


def write_take(folder: Path, cue: Cue, number: int, midi: pretty_midi.PrettyMIDI, audio: np.ndarray, sample_rate: int,
               settings: MusicSettings, model: str, source: str, originality: OriginalityReport | None = None) -> Take:  # fmt: skip
    """Write a take's MIDI and WAV atomically (refusing to replace any file) and describe it, with its
    originality report (checked here unless the composing step already did)."""
    take = new_take(cue, number, settings, model, source, originality or originality_of(midi))
    for relative in (take.midi, take.audio):
        if (folder / relative).exists():
            raise FileExistsError(folder / relative)
    with atomic_path(folder / take.midi) as tmp:
        midi.write(str(tmp))
    with atomic_path(folder / take.audio) as tmp:
        soundfile.write(tmp, audio.T, sample_rate, subtype="PCM_24")
    return take
