"""`score`: film in, scored film out. Probe → shots → picture → spot → brief → compose → render → mix → mux.

Outputs are staged in a hidden folder beside OUTDIR (atomic.staged_folder) and moved into place only
when every stage has succeeded, so a failed run leaves no half-written files and never touches earlier outputs. Each
finished take is also kept in OUTDIR/.takes-cache, so a run that was interrupted resumes without
composing or rendering its finished cues again.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import soundfile

from cuecraft.atomic import staged_folder
from cuecraft.compose.cue_plan import home_key_for, plan_settings
from cuecraft.compose.theme import write_themes
from cuecraft.config import DEFAULT_BASELINE_PATH, ScoreConfig
from cuecraft.errors import CuecraftError
from cuecraft.film.mood import blend_with_words, mood_from_picture
from cuecraft.film.subtitles import Subtitle, read_scenes, read_srt, words_per_cue
from cuecraft.film.picture import measure_frames
from cuecraft.film.probe import probe_video
from cuecraft.film.shots import detect_shot_starts
from cuecraft.film.cue_sheet import CueSheetEntry, read_cue_sheet
from cuecraft.film.spotting import SpottedCue, SpottingRules, describe_span, spot_cues
from cuecraft.corpus.files import content_hash
from cuecraft.model.loading import load_composer, resolve_model_path
from cuecraft.progress import ProgressReporter, SilentProgress
from cuecraft.project import PROJECT_FILE, Cue, FilmInfo, Mood, OriginalityReport, Project, TakeStatus, Theme
from cuecraft.render.loudness import LoudnessReport, normalize
from cuecraft.render.mix import place_cues
from cuecraft.render.mux import mux_score, read_film_audio
from cuecraft.render.soundfont import find_soundfont
from cuecraft.render.synth import Renderer
from cuecraft.render.take_cache import CACHE_DIR, TakeCache, copy_file, take_key
from cuecraft.review.store import STORE_FILE
from cuecraft.takes import CUES_DIR, TAIL_SECONDS, compose_cue, cue_samples, new_take, render_cue, take_audio
from cuecraft.theory import Key

SCORE_WAV, SCORED_VIDEO = "score.wav", "scored.mp4"


@dataclass
class ScoreResult:
    project: Project
    outdir: Path
    loudness: LoudnessReport
    stage_seconds: dict[str, float] = field(default_factory=dict)


def score_film(film_path: str | Path, outdir: str | Path, config: ScoreConfig = ScoreConfig(), progress: ProgressReporter | None = None) -> ScoreResult:
    """Score the film at `film_path` into `outdir` and return the project with timings per stage."""
    progress = progress or SilentProgress()
    outdir = Path(outdir)
    refuse_to_overwrite(outdir)
    clock = StageClock(progress)
    with clock.stage("probe video"):
        film = probe_video(film_path)
        find_soundfont(config.soundfont)  # fail before the slow stages
    cues, home_key = spot_film(film, config, clock)
    project = Project(name=Path(film_path).stem, film=film, home_key=home_key.name, cues=cues)
    return score_project(project, outdir, config, clock)


def score_project(project: Project, outdir: Path, config: ScoreConfig, clock: StageClock, themes: list[Theme] | None = None) -> ScoreResult:
    """Compose (the film's themes first, unless `themes` are given), render, mix and mux every cue of a spotted
    project into `outdir`, staged and published at once; finished takes are cached for resumption."""
    stage, timer, film = clock.stage, clock.timer, project.film
    with stage("load model"):
        soundfont = find_soundfont(config.soundfont)
        model_file = resolve_model_path(config.model, config.model_path, DEFAULT_BASELINE_PATH)
        composer = load_composer(config.model, model_file, DEFAULT_BASELINE_PATH)
        fingerprint = content_hash(model_file)
    cues = project.cues
    with staged_folder(outdir, last=PROJECT_FILE) as staging:
        (staging / CUES_DIR).mkdir()
        with stage("compose and render cues", sum(c.music for c in cues)):
            project.themes = themes or write_themes(composer, Key.parse(project.home_key), seed=config.seed, redraws=config.redraws)
            cache = TakeCache(outdir / CACHE_DIR)
            renderer = Renderer(soundfont, config.sample_rate)
            placed = []
            for cue in (c for c in cues if c.music):
                start, n = cue_samples(film, cue, config.sample_rate)
                theme = project.theme_for(cue.settings)
                key = take_key(model=fingerprint, settings=cue.settings.model_dump(), mood=cue.mood.model_dump(), samples=n,
                               seconds=str(film.frames_to_seconds(cue.n_frames)), rate=config.sample_rate,
                               theme=theme.model_dump(), soundfont=str(soundfont), hits=cue.hit_points, tail=TAIL_SECONDS,
                               redraws=config.redraws)  # fmt: skip
                cached = cache.load(key)
                if cached is None:
                    with timer("compose cues"):
                        midi, report = compose_cue(composer, film, cue, cue.settings, theme, config.redraws)
                    with timer("render cues"):
                        mixed = render_cue(renderer, film, cue, midi, cue.settings)
                    said = report.model_dump_json()
                    cached = (cache.store(key, midi, mixed, config.sample_rate, said), mixed, said)
                midi_path, mixed, said = cached
                take = new_take(cue, 1, cue.settings, composer.name, originality=OriginalityReport.model_validate_json(said))
                copy_file(midi_path, staging / take.midi)
                soundfile.write(staging / take.audio, take_audio(mixed, film, cue, config.sample_rate).T, config.sample_rate, subtype="PCM_24")
                cue.takes.append(take)
                placed.append((start, mixed))
                clock.progress.advance()
        with stage("mix and loudness"):
            total = film.frames_to_samples(film.n_frames, config.sample_rate)
            mix = place_cues(placed, total)
            mix, loudness = normalize(mix, config.sample_rate, config.loudness_target_lufs, config.true_peak_ceiling_dbtp)
            soundfile.write(staging / SCORE_WAV, mix.T, config.sample_rate, subtype="PCM_24")
        with stage("mux into video"):
            production = read_film_audio(Path(film.path), config.sample_rate, mix.shape[1]) if config.keep_film_audio else None
            mux_score(Path(film.path), mix, config.sample_rate, staging / SCORED_VIDEO, production)
            project.save(staging)
    return ScoreResult(project, outdir, loudness, clock.timings)


class StageClock:
    """Shows each stage on the progress display and adds up the seconds spent per stage."""

    def __init__(self, progress: ProgressReporter) -> None:
        self.progress = progress
        self.timings: dict[str, float] = {}

    @contextmanager
    def timer(self, name: str) -> Iterator[None]:
        started = time.perf_counter()
        yield
        self.timings[name] = self.timings.get(name, 0.0) + time.perf_counter() - started

    @contextmanager
    def stage(self, name: str, total: int | None = None) -> Iterator[None]:
        self.progress.start(name, total)
        with self.timer(name):
            yield


def spot_film(film: FilmInfo, config: ScoreConfig, clock: StageClock) -> tuple[list[Cue], Key]:
    """The film's cues with mood and brief: from the cue sheet `config.cues` if given, else from the shots."""
    with clock.stage("detect shots"):
        shot_starts = detect_shot_starts(film, threshold=config.shot_threshold)
    with clock.stage("measure picture"):
        stats = measure_frames(film)
    with clock.stage("spot cues"):
        subtitles = read_srt(config.subtitles) if config.subtitles else []
        if config.cues:
            sheet = read_cue_sheet(config.cues, film)
            spotted = [describe_span(film, stats, c.entry.id, c.start_frame, c.end_frame, shot_starts) for c in sheet]
            entries = [c.entry for c in sheet]
            hits = [c.hit_frames for c in sheet]
        else:
            spans = tuple((film.frames_at_seconds(line.start_s), film.frames_at_seconds(line.end_s)) for line in subtitles)
            rules = SpottingRules(config.min_cue_s, config.max_cue_s, config.merge_distance, keep_together=spans)
            spotted = spot_cues(film, shot_starts, stats, rules)
            entries = [None] * len(spotted)
            hits = [c.shot_starts[1:] for c in spotted]  # cuts inside a cue are its hit points
        moods, styles = _moods(film, spotted, entries, subtitles, config)
        home_key = Key.parse(config.home_key) if config.home_key else home_key_for(moods)
        cues = [
            Cue(
                id=s.id, start_frame=s.start_frame, end_frame=s.end_frame, shot_starts=s.shot_starts,
                picture=s.picture, mood=mood, music=e.music if e else True, style=style,
                hit_points=hit, notes=e.notes if e else "",
                settings=plan_settings(mood, home_key, config.seed + i, style, index=i, theme=e.theme if e else "auto"),
            )  # fmt: skip
            for i, (s, mood, style, e, hit) in enumerate(zip(spotted, moods, styles, entries, hits))
        ]
    return cues, home_key


def _moods(film: FilmInfo, spotted: list[SpottedCue], entries: list[CueSheetEntry | None], subtitles: list[Subtitle],
           config: ScoreConfig) -> tuple[list[Mood], list[str]]:  # fmt: skip
    """Each cue's mood and style: the picture's, moved by the words (subtitles, screenplay) when
    given, with whatever the cue sheet states taking precedence."""
    moods = [mood_from_picture(s.picture) for s in spotted]
    styles = [e.style if e else "auto" for e in entries]
    if config.subtitles or config.screenplay:
        from cuecraft.film.text_mood import moods_of

        scenes = read_scenes(config.screenplay) if config.screenplay else []
        spans = [(float(film.frames_to_seconds(s.start_frame)), float(film.frames_to_seconds(s.end_frame))) for s in spotted]
        texts = words_per_cue(spans, film.duration_s, subtitles, scenes)
        worded = [i for i, t in enumerate(texts) if t]
        for i, words in zip(worded, moods_of([texts[i] for i in worded])):
            moods[i] = blend_with_words(moods[i], words.valence, words.arousal, config.words_weight)
            if styles[i] == "auto" and words.style:
                styles[i] = words.style
    return [_override(m, e) for m, e in zip(moods, entries)], styles


def _override(mood: Mood, entry: CueSheetEntry | None) -> Mood:
    """The mood with whatever the cue sheet states taking precedence."""
    if entry is None:
        return mood
    overrides = {k: getattr(entry, k) for k in ("valence", "arousal", "intensity") if getattr(entry, k) is not None}
    return mood.model_copy(update=overrides)


def refuse_to_overwrite(outdir: Path) -> None:
    """An OUTDIR whose project has approved takes, or is under review, is a composer's work: never score over it."""
    if (outdir / STORE_FILE).is_file():
        raise CuecraftError(outdir, f"is under review ({STORE_FILE}); score into a new folder")
    if not (outdir / PROJECT_FILE).is_file():
        return
    existing = Project.load(outdir)
    if any(t.status == TakeStatus.approved for c in existing.cues for t in c.takes):
        raise CuecraftError(outdir, "holds approved takes; score into a new folder")
