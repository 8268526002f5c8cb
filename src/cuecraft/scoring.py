"""`score`: film in, scored film out. Probe → shots → picture → spot → brief → compose → render → mix → mux.

Outputs are staged in a hidden folder beside OUTDIR (atomic.staged_folder) and moved into place only
when every stage has succeeded, so a failed run leaves no half-written files and never touches earlier outputs. Each
finished take is also kept in OUTDIR/.takes-cache, so a run that was interrupted resumes without
composing or rendering its finished cues again.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import soundfile

from cuecraft.atomic import staged_folder
from cuecraft.compose.cue_plan import home_key_for, plan_settings
from cuecraft.compose.theme import write_themes
from cuecraft.config import DEFAULT_BASELINE_PATH, ScoreConfig
from cuecraft.film.mood import blend_with_words, mood_from_picture
from cuecraft.corpus.files import content_hash
from cuecraft.cue_tasks import CueTask, composer_from, make_takes, sampling_model
from cuecraft.executors import cores, in_background
from cuecraft.film.cue_sheet import CueSheetEntry, SheetCue, read_cue_sheet
from cuecraft.film.dialogue import speech_in_film
from cuecraft.film.hit_points import choose_hits, unreachable_hits
from cuecraft.film.picture import FrameStats, read_picture
from cuecraft.film.scenes import Scene, SceneRules, find_scenes
from cuecraft.film.spotting import SpottingRules, describe_span, ending_for, spot_scenes
from cuecraft.film.subtitles import Subtitle, check_against_film, read_scenes, read_srt, words_per_cue
from cuecraft.model.paths import resolve_model_path
from cuecraft.preflight import preflight
from cuecraft.progress import ProgressReporter, SilentProgress
from cuecraft.project import (PROJECT_FILE, Cue, CueSection, Ending, FilmInfo, Mood, MusicSettings, OriginalityReport, Project,
                              Theme)
from cuecraft.render.loudness import LoudnessReport
from cuecraft.render.mux import mux_score
from cuecraft.render.soundfont import find_soundfont
from cuecraft.render.streaming import PlacedCues, write_normalized
from cuecraft.render.synth import Renderer
from cuecraft.render.take_cache import CACHE_DIR, TakeCache, copy_file, take_key
from cuecraft.render.transitions import ride_in, runs_into
from cuecraft.takes import CUES_DIR, TAIL_SECONDS, compose_cue, cue_samples, new_take, render_cue, take_audio
from cuecraft.theory import Key

SCORE_WAV, MIX_DIR = "score.wav", ".mix"  # the mix's cue audio waits in MIX_DIR (render.streaming)
# A film at least this long (s) is listened to for speech in a process of its own while its picture is
# read (it finishes well before the picture readers); a shorter one is not worth the process's start.
LISTEN_APART_S = 240.0
AUTO_WORKERS_MIN_MUSIC_S = 180.0  # a 5-minute film's cues: 27.5 s in one process, 20.9 s on two workers (bench/feature_film.py)


@dataclass
class ScoreResult:
    project: Project
    outdir: Path
    loudness: LoudnessReport
    video: Path  # the scored film: scored.mp4 (scored.mov for pictures MP4 cannot carry)
    stage_seconds: dict[str, float] = field(default_factory=dict)


def score_film(film_path: str | Path, outdir: str | Path, config: ScoreConfig = ScoreConfig(), progress: ProgressReporter | None = None,
               checked: FilmInfo | None = None) -> ScoreResult:  # fmt: skip
    """Score the film at `film_path` into `outdir` and return the project with timings per stage
    (`checked`: the film as `preflight` found it, when the caller has already checked the inputs)."""
    progress = progress or SilentProgress()
    outdir = Path(outdir)
    clock = StageClock(progress)
    with clock.stage("probe video"):
        film = checked or preflight(film_path, outdir, config)
    spotting = spot_film(film, config, clock)
    project = Project(name=Path(film_path).stem, film=film, home_key=spotting.home_key.name, cues=spotting.cues,
                      dialogue=spotting.dialogue, dialogue_source=spotting.dialogue_source)  # fmt: skip
    return score_project(project, outdir, config, clock)


def score_project(project: Project, outdir: Path, config: ScoreConfig, clock: StageClock, themes: list[Theme] | None = None) -> ScoreResult:
    """Compose (the film's themes first, unless `themes` are given), render, mix and mux every cue of a spotted
    project into `outdir`, staged and published at once; finished takes are cached for resumption."""
    stage, timer, film = clock.stage, clock.timer, project.film
    cache = TakeCache(outdir / CACHE_DIR)
    with stage("load model"):
        soundfont = find_soundfont(config.soundfont)
        model_file = resolve_model_path(config.model, config.model_path, DEFAULT_BASELINE_PATH)
        fingerprint = content_hash(model_file)
        sampled_from = sampling_model(config.model, model_file, fingerprint, cache)
        composer = composer_from(config.model, str(sampled_from))
    cues = project.cues
    with staged_folder(outdir, last=PROJECT_FILE) as staging:
        (staging / CUES_DIR).mkdir()
        with stage("compose and render cues", sum(c.music for c in cues)):
            project.themes = themes or write_themes(composer, Key.parse(project.home_key), seed=config.seed, redraws=config.redraws)
            renderer = Renderer(soundfont, config.sample_rate)
            total = film.frames_to_samples(film.n_frames, config.sample_rate)
            placed, previous, last_audio = PlacedCues(staging / MIX_DIR, total, config.sample_rate), None, None
            keys = {cue.id: _take_key(film, cue, project.theme_for(cue.settings), fingerprint, soundfont, config) for cue in cues if cue.music}
            workers = config.workers or auto_workers(float(film.frames_to_seconds(sum(c.n_frames for c in cues if c.music))))
            if workers > 1 or config.scheduler:  # the takes are made elsewhere, into the cache, then placed here in order
                # longest cues first, so no worker is left with a long cue alone at the end
                todo = [CueTask(keys[c.id], str(cache.folder), film.model_dump_json(), c.model_dump_json(),
                                project.theme_for(c.settings).model_dump_json(), config.model, str(sampled_from), str(soundfont),
                                config.sample_rate, config.redraws)
                        for c in sorted(cues, key=lambda c: -c.n_frames) if c.music and cache.load(keys[c.id]) is None]  # fmt: skip
                with timer("compose cues"):
                    make_takes(todo, workers, config.scheduler, clock.progress.advance)
            for cue in (c for c in cues if c.music):
                start, n = cue_samples(film, cue, config.sample_rate)
                theme = project.theme_for(cue.settings)
                key = keys[cue.id]
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
                if runs_into(previous, cue):
                    mixed = mixed * ride_in(mixed, last_audio, cue_samples(film, previous, config.sample_rate)[1], config.sample_rate)
                placed.add(start, mixed)
                previous, last_audio = cue, mixed
                if workers <= 1 and not config.scheduler:
                    clock.progress.advance()
        with stage("mix and loudness"):
            if project.dialogue:
                placed.duck(project.dialogue_seconds(), config.duck_db)
            loudness = write_normalized(placed, staging / SCORE_WAV, config.loudness_target_lufs, config.true_peak_ceiling_dbtp)
            shutil.rmtree(staging / MIX_DIR)
        with stage("mux into video"):
            video = mux_score(Path(film.path), staging / SCORE_WAV, staging, config.keep_film_audio, config.workers or None).name
            project.save(staging)
    return ScoreResult(project, outdir, loudness, outdir / video, clock.timings)


def auto_workers(music_s: float) -> int:
    """Worker processes for `music_s` seconds of cues: one per core from AUTO_WORKERS_MIN_MUSIC_S of music
    (each worker loads the model and SoundFont, a few seconds that only longer scores repay), else none."""
    return cores() if music_s >= AUTO_WORKERS_MIN_MUSIC_S else 1


def _take_key(film: FilmInfo, cue: Cue, theme: Theme, fingerprint: str, soundfont: Path, config: ScoreConfig) -> str:
    """The take cache's key for a cue: everything its take depends on."""
    _, n = cue_samples(film, cue, config.sample_rate)
    return take_key(model=fingerprint, settings=cue.settings.model_dump(), mood=cue.mood.model_dump(), samples=n,
                    seconds=str(film.frames_to_seconds(cue.n_frames)), rate=config.sample_rate, theme=theme.model_dump(),
                    soundfont=str(soundfont), hits=cue.hit_points, tail=TAIL_SECONDS, redraws=config.redraws)  # fmt: skip


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


@dataclass
class Spotting:
    """What the spotting session decides: the cues, the film's home key, and where people speak (and how that was found)."""

    cues: list[Cue]
    home_key: Key
    dialogue: list[tuple[int, int]]
    dialogue_source: str


def spot_film(film: FilmInfo, config: ScoreConfig, clock: StageClock) -> Spotting:
    """The film's cues with mood, form, hit points, dialogue and brief: from the cue sheet `config.cues`
    if given, else spotted by scene (film.spotting)."""
    subtitles = read_srt(config.subtitles) if config.subtitles else []
    check_against_film(config.subtitles, subtitles, film.duration_s)
    listen_apart = not subtitles and film.has_audio and film.duration_s >= LISTEN_APART_S
    with in_background(speech_in_film, Path(film.path), film.duration_s) if listen_apart else nullcontext() as speech:
        with clock.stage("read picture (shots, light, motion)"):
            reading = read_picture(film, config.shot_threshold, config.workers or None)
            shot_starts, stats = reading.shot_starts, reading.stats
        with clock.stage("find dialogue"):
            lines, source = dialogue_map(film, subtitles, speech.get() if speech else None)
    with clock.stage("spot cues"):
        scenes = find_scenes(film, shot_starts, stats, tuple(lines), SceneRules(config.scene_distance))
        scene_spans = [(s.start_frame, s.end_frame) for s in scenes]
        scene_moods, _ = _moods(film, stats, shot_starts, scene_spans, subtitles, config)
        talk = [_share_spoken(span, lines) for span in scene_spans]
        if config.cues:
            plans = _sheet_plans(read_cue_sheet(config.cues, film), film, scenes, scene_moods)
        else:
            rules = SpottingRules(config.min_cue_s, config.max_cue_s, config.music_density, config.mood_turn)
            plans = [_CuePlan(c.id, c.start_frame, c.end_frame, None, c.ending, c.note, list(c.sections), c.segue_in, None)
                     for c in spot_scenes(film, scenes, scene_moods, talk, rules)]  # fmt: skip
        spans = [(p.start, p.end) for p in plans]
        moods, word_styles = _moods(film, stats, shot_starts, spans, subtitles, config)
        moods = [_override(m, p.entry) for p, m in zip(plans, moods)]
        home_key = Key.parse(config.home_key) if config.home_key else home_key_for(moods)
        cues: list[Cue] = []
        for i, (p, mood) in enumerate(zip(plans, moods)):
            e = p.entry
            style = e.style if e and e.style != "auto" else word_styles[i] or "auto"
            settings = plan_settings(mood, home_key, config.seed + i, style, index=i, theme=e.theme if e else "auto")
            if p.segue_in and cues and cues[-1].mood.quadrant == mood.quadrant:  # one sequence keeps its ensemble and tempo
                settings = settings.model_copy(update={"tempo": cues[-1].settings.tempo, "style": cues[-1].settings.style,
                                                       "program": cues[-1].settings.program})  # fmt: skip
            if cues and cues[-1].settings.ending == "segue":
                cues[-1].settings = cues[-1].settings.model_copy(update={"next_key": settings.key})
            settings = settings.model_copy(update={"ending": p.ending, "segue_in": bool(cues and cues[-1].settings.ending == "segue"
                                                                                     and cues[-1].end_frame == p.start)})  # fmt: skip
            hits, note = _hit_points(film, p, scenes, stats, lines, settings)
            shots, picture = describe_span(film, stats, p.start, p.end, shot_starts)
            cues.append(Cue(
                id=p.id, start_frame=p.start, end_frame=p.end, shot_starts=shots, picture=picture, mood=mood,
                music=e.music if e else True, style=style, hit_points=hits, notes=e.notes if e else "",
                sections=p.sections, dialogue=[(max(a, p.start), min(b, p.end)) for a, b in lines if a < p.end and b > p.start],
                spotting_note=p.note + note, settings=settings,
            ))  # fmt: skip
    return Spotting(cues, home_key, lines, source)


@dataclass
class _CuePlan:
    """A cue's span and spotting decisions, from the automatic spotting or the cue sheet."""

    id: str
    start: int
    end: int
    entry: CueSheetEntry | None
    ending: Ending
    note: str
    sections: list[CueSection]
    segue_in: bool
    hits: list[int] | None  # the cue sheet's hit points; None: choose them


def _sheet_plans(sheet: list[SheetCue], film: FilmInfo, scenes: list[Scene], moods: list[Mood]) -> list[_CuePlan]:
    """The cue sheet's cues, with their form from the scenes they span and an ending by what follows."""
    plans = []
    for k, c in enumerate(sheet):
        e = c.entry
        following = sheet[k + 1] if k + 1 < len(sheet) else None
        segue_out = following is not None and following.entry.music and following.start_frame == c.end_frame
        inside = [j for j, s in enumerate(scenes) if s.start_frame < c.end_frame and s.end_frame > c.start_frame]
        mood = moods[inside[0]] if inside else Mood(valence=0, arousal=0, intensity=0.5)
        ending = ending_for(mood, segue_out, c.end_frame >= film.n_frames) if e.ending == "auto" else e.ending
        sections = [CueSection(start_frame=max(c.start_frame, scenes[j].start_frame), intensity=moods[j].intensity) for j in inside]
        segue_in = k > 0 and sheet[k - 1].end_frame == c.start_frame
        plans.append(_CuePlan(e.id, c.start_frame, c.end_frame, e, ending, e.why or "as the cue sheet spots it", sections, segue_in, c.hit_frames))
    return plans


def _hit_points(film: FilmInfo, plan: _CuePlan, scenes: list[Scene], stats: FrameStats, lines: list[tuple[int, int]],
                settings: MusicSettings) -> tuple[list[int], str]:  # fmt: skip
    """The cue's hit points (chosen by importance unless the cue sheet names them) and what the note
    adds about them: each hit and why, and any the tempo cannot reach (left unsynced)."""
    if plan.hits is None:
        chosen = choose_hits(film, plan.start, plan.end, scenes, stats, lines)
        hits, reasons = [c.frame for c in chosen], [f"{film.timecode(c.frame)} {c.reason}" for c in chosen]
    else:
        hits, reasons = plan.hits, []
    missed = unreachable_hits(film, plan.start, plan.end, hits, settings.tempo, settings.beats_per_bar)
    note = f"; hits: {', '.join(reasons)}" if reasons else ""
    if missed:
        note += f"; not synced (too close to the previous sync point for the tempo): {', '.join(film.timecode(h) for h in missed)}"
    return [h for h in hits if h not in missed], note


def dialogue_map(film: FilmInfo, subtitles: list[Subtitle], heard: list[tuple[float, float]] | None = None) -> tuple[list[tuple[int, int]], str]:
    """Where people speak, as frame spans, and from what: the subtitles when given, else a voice detector
    on the film's own sound (its regions `heard` already, if it ran in the background)."""
    if subtitles:
        spans, source = [(line.start_s, line.end_s) for line in subtitles], "subtitles"
    elif film.has_audio:
        spans, source = heard if heard is not None else speech_in_film(Path(film.path), film.duration_s), "voice detector (Silero VAD)"
    else:
        spans, source = [], "none (the film has no sound)"
    frames = [(film.frames_at_seconds(a), min(film.n_frames, film.frames_at_seconds(b))) for a, b in spans]
    return [(a, b) for a, b in frames if a < b], source


def _share_spoken(span: tuple[int, int], lines: list[tuple[int, int]]) -> float:
    start, end = span
    return sum(max(0, min(b, end) - max(a, start)) for a, b in lines) / max(1, end - start)


def _moods(film: FilmInfo, stats: FrameStats, shot_starts: list[int], spans: list[tuple[int, int]], subtitles: list[Subtitle],
           config: ScoreConfig) -> tuple[list[Mood], list[str | None]]:  # fmt: skip
    """The mood of each span of film (its picture's, moved by the words of subtitles or screenplay when
    given) and the style its words ask for, if any (a screenplay's "solo piano")."""
    moods = [mood_from_picture(describe_span(film, stats, a, b, shot_starts)[1]) for a, b in spans]
    styles: list[str | None] = [None] * len(spans)
    if config.subtitles or config.screenplay:
        from cuecraft.film.text_mood import moods_of

        scenes = read_scenes(config.screenplay) if config.screenplay else []
        seconds = [(float(film.frames_to_seconds(a)), float(film.frames_to_seconds(b))) for a, b in spans]
        texts = words_per_cue(seconds, film.duration_s, subtitles, scenes)
        worded = [i for i, t in enumerate(texts) if t]
        for i, words in zip(worded, moods_of([texts[i] for i in worded])):
            moods[i] = blend_with_words(moods[i], words.valence, words.arousal, config.words_weight)
            styles[i] = words.style if config.screenplay else None  # a spoken line does not describe its scene's music
    return moods, styles


def _override(mood: Mood, entry: CueSheetEntry | None) -> Mood:
    """The mood with whatever the cue sheet states taking precedence."""
    if entry is None:
        return mood
    overrides = {k: getattr(entry, k) for k in ("valence", "arousal", "intensity") if getattr(entry, k) is not None}
    return mood.model_copy(update=overrides)
