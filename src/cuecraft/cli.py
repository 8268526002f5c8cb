"""The `cuecraft` command line: one verb per job, each a thin call into the library."""

from __future__ import annotations

import errno
import json
import os
import signal
import sys
from pathlib import Path
from typing import Annotated, Optional

import typer
from pydantic import ValidationError
from rich.console import Console

from cuecraft.config import DEFAULT_BASELINE_PATH, ScoreConfig
from cuecraft.errors import CuecraftError
from cuecraft.progress import RichProgress
from cuecraft.project import MAX_SEED

app = typer.Typer(
    help="cuecraft: score films with a learned model, a human composer in charge.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
console = Console(stderr=True)

ProjectOption = Annotated[Path, typer.Option("-p", "--project", help="project folder (default: the current one)")]
UserOption = Annotated[str, typer.Option("--user", help="your name in the audit log (the local user acts as composer)")]
LOCAL_USER = os.environ.get("USER", "cli")
SubtitlesOption = Annotated[Optional[Path], typer.Option(help="SubRip (.srt) subtitles: the dialogue map, and their words steer each cue's mood")]
MinCueOption = Annotated[float, typer.Option(help="shortest cue the spotting makes, seconds")]
MaxCueOption = Annotated[float, typer.Option(help="longest cue, seconds")]
TurnOption = Annotated[float, typer.Option(help="how far the mood must move (|Δvalence| + |Δarousal|) for a new cue to begin; 0: a cue per scene")]
DensityOption = Annotated[float, typer.Option(help="least share of the film that keeps music (1: wall to wall); the calmest, talkiest scenes go dry")]
ScreenplayOption = Annotated[Optional[Path], typer.Option(help="screenplay (Fountain) or scene brief (text): mood and style per scene")]


@app.command()
def score(
    film: Annotated[Path, typer.Argument(help="the film to score (any video PyAV/FFmpeg reads)")],
    out: Annotated[Path, typer.Option("-o", "--out", help="output folder")],
    model: Annotated[str, typer.Option(help="transformer (shipped, default) or baseline")] = "transformer",
    model_path: Annotated[Optional[Path], typer.Option(help="checkpoint of the chosen model")] = None,
    soundfont: Annotated[Optional[Path], typer.Option(help="General MIDI SoundFont (.sf2)")] = None,
    target_lufs: Annotated[float, typer.Option(help="integrated loudness of the score")] = -24.0,
    true_peak: Annotated[float, typer.Option(help="true-peak ceiling, dBTP")] = -1.0,
    min_cue: MinCueOption = 20.0,
    max_cue: MaxCueOption = 180.0,
    density: DensityOption = 0.85,
    mood_turn: TurnOption = 0.6,
    key: Annotated[Optional[str], typer.Option(help="home key, e.g. 'D minor' (default: from the film's mood)")] = None,
    seed: Annotated[int, typer.Option(min=0, max=MAX_SEED, help="random seed: the same seed gives the same score")] = 0,
    cues: Annotated[Optional[Path], typer.Option(help="cue sheet (YAML, as `cuecraft spot` writes) instead of automatic spotting")] = None,
    subtitles: SubtitlesOption = None,
    screenplay: ScreenplayOption = None,
    redraws: Annotated[int, typer.Option(min=0, max=5, help="times a take or theme flagged as copying the training music is drawn again")] = 2,
    workers: Annotated[int, typer.Option(min=0, max=64, help="local processes reading the picture, composing and rendering cues and encoding the sound (0: one per core for films of four minutes or music of three)")] = 0,
    scheduler: SchedulerOption = None,
) -> None:
    """Spot FILM into cues, compose and render each, mix to a loudness target and lay it into the film."""
    from cuecraft.preflight import preflight

    config = ScoreConfig(
        model=model, model_path=model_path, soundfont=soundfont, loudness_target_lufs=target_lufs, true_peak_ceiling_dbtp=true_peak,
        min_cue_s=min_cue, max_cue_s=max_cue, music_density=density, mood_turn=mood_turn, home_key=key, seed=seed, cues=cues, subtitles=subtitles,
        screenplay=screenplay, redraws=redraws, workers=workers, scheduler=scheduler,
    )  # fmt: skip
    checked = preflight(film, out, config)  # bad input is named before the models and their libraries load
    from cuecraft.scoring import score_film

    progress = RichProgress()
    try:
        result = score_film(film, out, config, progress, checked)
    finally:
        progress.close()
    project = result.project
    console.print(f"scored {len(project.cues)} cues in {project.home_key}; loudness "
                  f"{result.loudness.integrated_lufs:.1f} LUFS, true peak {result.loudness.true_peak_dbtp:.1f} dBTP")
    for cue in project.cues:
        s = cue.settings
        music = f"{cue.mood.quadrant:<26} {s.key:<9} {s.tempo:>5.0f} bpm  {s.theme} {s.theme_treatment}" if cue.music else "no music"
        console.print(f"  {cue.id}  {project.film.timecode(cue.start_frame)} - {project.film.timecode(cue.end_frame)}  {music}")
        flagged = [t for t in cue.takes if t.originality and (t.originality.flagged or t.originality.redrawn)]
        for take in flagged:
            console.print(f"      {take.id} originality: {take.originality.summary}")
    console.print(f"wrote {out}/score.wav, {result.video}, {out}/project.json and {len(project.cues)} cue MIDI files")


@app.command()
def spot(
    film: Annotated[Path, typer.Argument(help="the film to spot")],
    out: Annotated[Path, typer.Option("-o", "--out", help="cue sheet to write (YAML)")] = Path("cues.yaml"),
    min_cue: MinCueOption = 20.0,
    max_cue: MaxCueOption = 180.0,
    density: DensityOption = 0.85,
    mood_turn: TurnOption = 0.6,
    subtitles: SubtitlesOption = None,
    screenplay: ScreenplayOption = None,
) -> None:
    """Spot FILM into cues (with mood and hit points) and write an editable cue sheet."""
    from cuecraft.film.cue_sheet import CueSheet, CueSheetEntry, write_cue_sheet
    from cuecraft.film.probe import probe_video
    from cuecraft.scoring import StageClock, spot_film

    info = probe_video(film)
    progress = RichProgress()
    try:
        config = ScoreConfig(min_cue_s=min_cue, max_cue_s=max_cue, music_density=density, mood_turn=mood_turn, subtitles=subtitles, screenplay=screenplay)
        cues = spot_film(info, config, StageClock(progress)).cues
    finally:
        progress.close()
    entries = [
        CueSheetEntry(
            id=c.id, start=info.timecode(c.start_frame), end=info.timecode(c.end_frame), music=c.music, style=c.style,
            theme=c.settings.theme, valence=c.mood.valence, arousal=c.mood.arousal, intensity=c.mood.intensity,
            hit_points=[info.timecode(h) for h in c.hit_points], ending=c.settings.ending, why=c.spotting_note, notes=c.notes,
        )  # fmt: skip
        for c in cues
    ]
    write_cue_sheet(out, CueSheet(film=str(film), cues=entries))
    console.print(f"wrote {out}: {len(entries)} cues; edit it and score with `cuecraft score {film} --cues {out}`")


@app.command("train-baseline")
def train_baseline_command(
    data: Annotated[list[Path], typer.Argument(help="MIDI files or folders")] = [Path("../shared/data/vgmidi")],
    out: Annotated[Path, typer.Option("-o", "--out", help="model file to write")] = DEFAULT_BASELINE_PATH,
    max_order: Annotated[int, typer.Option(help="longest context of the Markov chains")] = 4,
) -> None:
    """Train the variable-order Markov baseline on MIDI files (deduplicated by content)."""
    from cuecraft.model.baseline import train_baseline

    progress = RichProgress()
    progress.start("reading MIDI")
    try:
        model = train_baseline(data, max_order=max_order, on_file=progress.counter("reading MIDI"))
        progress.start("saving model")
        model.save(out)
    finally:
        progress.close()
    r = model.report
    console.print(f"trained on {r.pieces_major} major + {r.pieces_minor} minor pieces ({r.tokens} tokens, "
                  f"vocabulary {r.vocabulary}; skipped {r.duplicates} duplicates, {r.unreadable} unreadable, "
                  f"{r.other_meter} not in 4/4) in {r.seconds:.0f} s -> {out}")


@app.command()
def generate(
    out: Annotated[Path, typer.Option("-o", "--out", help="MIDI file to write")],
    key: Annotated[str, typer.Option(help="e.g. 'D minor'")] = "C major",
    tempo: Annotated[float, typer.Option(help="quarter notes per minute")] = 100.0,
    bars: Annotated[int, typer.Option(min=1, max=512, help="exact number of 4/4 bars (1-512)")] = 8,
    valence: Annotated[float, typer.Option(help="-1 (negative) .. 1 (positive)")] = 0.0,
    arousal: Annotated[float, typer.Option(help="-1 (calm) .. 1 (excited)")] = 0.0,
    style: Annotated[str, typer.Option(help="ensemble: orchestral, chamber-strings, piano, electronic, action-percussion, harp")] = "piano",
    seed: Annotated[int, typer.Option(min=0, max=MAX_SEED, help="random seed")] = 0,
    model: Annotated[str, typer.Option(help="transformer (shipped, default) or baseline")] = "transformer",
    model_path: Annotated[Optional[Path], typer.Option(help="checkpoint of the chosen model")] = None,
) -> None:
    """Compose one piece of exact length in a key, tempo and mood, ending on a V7-I cadence whose tonic rings out."""
    from cuecraft.atomic import atomic_path
    from cuecraft.compose.cue_plan import piece_brief
    from cuecraft.compose.styles import ENSEMBLES

    if model not in ("transformer", "baseline"):
        raise CuecraftError(model, "unknown model (transformer or baseline)")
    if style not in ENSEMBLES:
        raise CuecraftError(style, f"unknown style (one of: {', '.join(ENSEMBLES)})")
    settings, mood = piece_brief(key, tempo, valence, arousal, style, seed)
    key_name = settings.key
    from cuecraft.compose.cue_writer import write_piece  # the heavy libraries load once the request is known to be good
    from cuecraft.model.loading import load_composer

    composer = load_composer(model, model_path, DEFAULT_BASELINE_PATH)  # type: ignore[arg-type]
    midi = write_piece(composer, settings, bars, mood)
    with atomic_path(out) as tmp:
        midi.write(str(tmp))
    console.print(f"wrote {out}: {bars} bars of {key_name} at {tempo:g} bpm by {composer.name}")


@app.command()
def transcribe(
    audio: Annotated[Path, typer.Argument(help="WAV, FLAC, MP3 or OGG file (a temp track, a mock-up)")],
    out: Annotated[Path, typer.Option("-o", "--out", help="MIDI file to write")],
    program: Annotated[int, typer.Option(min=0, max=127, help="GM program of the written part")] = 0,
) -> None:
    """Write the notes heard in an audio file as MIDI (Basic Pitch) on the audio's tracked beats (a tempo
    map through them, so bars line up), to open in a DAW or notation program."""
    import numpy as np

    from cuecraft.atomic import atomic_path
    from cuecraft.compose.tempo_map import TempoMap, apply_tempo_map
    from cuecraft.corpus.audio import MIN_PITCHED_SHARE, read_audio
    from cuecraft.corpus.audio_harmony import tracked_beat_times
    from cuecraft.corpus.transcription import heard_midi, pitched_share, transcribe as transcribe_audio

    samples, rate = read_audio(audio)
    mono = samples.mean(axis=0)
    heard = transcribe_audio(mono, rate)
    share = pitched_share(heard, samples.shape[1] / rate)
    if share < MIN_PITCHED_SHARE:
        raise CuecraftError(audio, f"no pitched notes heard (they sound {share:.2f} s a second: drums, noise or silence?)")
    tempo_map = TempoMap.through_beats(tracked_beat_times(mono, rate, heard))
    midi = heard_midi(heard, program)
    apply_tempo_map(midi, tempo_map)
    with atomic_path(out) as tmp:
        midi.write(str(tmp))
    low, high = min(n.pitch for n in heard), max(n.pitch for n in heard)
    console.print(f"wrote {out}: {len(heard)} notes from {samples.shape[1] / rate:.1f} s of audio, MIDI {low}-{high}, "
                  f"{float(np.median(tempo_map.tempos)):.0f} bpm (median of the tracked beats)")


DataOption = Annotated[Path, typer.Option("--data", help="folder holding pop909/, vgmidi/ and vgmusic/")]
CorporaCacheOption = Annotated[Path, typer.Option("--cache", help="where the read corpora are cached")]
CORPORA_CACHE = Path("models/transformer/corpora.pkl")


@app.command()
def train(
    data: DataOption = Path("../shared/data"),
    out: Annotated[Path, typer.Option("-o", "--out", help="folder for model.pt, training state and loss curve")] = Path("models/transformer"),
    max_minutes: Annotated[float, typer.Option(help="stop after this long")] = 50.0,
    max_steps: Annotated[int, typer.Option(help="stop after this many steps")] = 3000,
    init_from: Annotated[Optional[Path], typer.Option(help="start from this checkpoint's weights")] = None,
    tiny: Annotated[bool, typer.Option(help="a tiny model that trains in seconds (for tests)")] = False,
    fresh: Annotated[bool, typer.Option(help="ignore any saved training state and start over")] = False,
    pack_out: Annotated[Optional[Path], typer.Option(help="write the tokenized training pieces to this token pack and stop (to train elsewhere with scripts/train_pack.py)")] = None,
    pseudo_labels: Annotated[bool, typer.Option(help="label unlabelled VGMIDI pieces' emotion from the labelled ones")] = True,
) -> None:
    """Train the chord-conditioned transformer on the corpora (resumes from OUT's training state);
    held-out games and the emotion judge's pieces are never trained on (see model.training_set).
    Unlabelled VGMIDI pieces get pseudo-labels from the labelled training pieces (model.pseudo_labels)."""
    from cuecraft.model.pseudo_labels import with_pseudo_labels
    from cuecraft.model.token_pack import save_pack
    from cuecraft.model.train import TrainConfig, train as run_training
    from cuecraft.model.training_set import load_split, tokenize
    from cuecraft.model.tokenizer import CueTokenizer

    make = TrainConfig.tiny if tiny else TrainConfig
    config = make(max_minutes=max_minutes, max_steps=max_steps, init_from=str(init_from) if init_from else None)
    training, held_out = load_split(data, out / "corpora.pkl")
    before = sum(p.valence is not None for p in training)
    training = with_pseudo_labels(training) if pseudo_labels else training
    console.print(f"emotion labels: {before} pieces by listeners, {sum(p.valence is not None for p in training) - before} more by pseudo-label")
    tokenizer = CueTokenizer()
    pieces = tokenize(training, tokenizer)
    console.print(f"{len(pieces)} pieces to learn from; {len(held_out)} held out for evaluation")
    if pack_out:
        save_pack(pack_out, pieces, tokenizer)
        console.print(f"token pack of {len(pieces)} pieces -> {pack_out}")
        return
    progress = RichProgress()
    progress.start("training", max_steps)
    done = [0]

    def on_eval(step: int, train_loss: float, validation: float) -> None:
        progress.advance(step - done[0])
        done[0] = step
        console.print(f"step {step}: train {train_loss:.3f}, validation {validation:.3f}")

    try:
        result = run_training(config, pieces, out, resume=not fresh, on_eval=on_eval)
    finally:
        progress.close()
    console.print(f"{result.steps} steps ({result.stopped_because}) in {result.seconds:.0f} s; best validation loss "
                  f"{result.best_validation_loss:.3f}; {result.parameters:,} parameters; {result.train_pieces} train / "
                  f"{result.validation_pieces} validation pieces -> {out}/model.pt")


@app.command("train-harmony")
def train_harmony(
    data: DataOption = Path("../shared/data"),
    out: Annotated[Path, typer.Option("-o", "--out", help="harmony model (JSON)")] = Path("models/harmony.json"),
    cache: CorporaCacheOption = CORPORA_CACHE,
) -> None:
    """Learn chord successions, their emotion tilts and harmonic rhythm from the training corpora."""
    from cuecraft.model.harmony import HarmonyModel
    from cuecraft.model.training_set import chord_sequences, load_split

    training, _ = load_split(data, cache)
    model = HarmonyModel.fit(chord_sequences(training))
    model.save(out)
    console.print(f"harmony model from {model.pieces} pieces -> {out}")


@app.command("train-grooves")
def train_grooves(
    data: DataOption = Path("../shared/data"),
    out: Annotated[Path, typer.Option("-o", "--out", help="groove model (JSON)")] = Path("models/grooves.json"),
) -> None:
    """Learn drum grooves and bass, accompaniment and timpani figures, with the bars played after them
    (variations, fills), from the VGMusic training games' parts."""
    from cuecraft.model.grooves import GrooveModel
    from cuecraft.model.training_set import rhythm_parts

    progress = RichProgress()
    try:
        model = GrooveModel.fit(rhythm_parts(data, on_file=progress.counter("reading drums and figures")))
    finally:
        progress.close()
    if not (model.drums.openings or model.bass.openings or model.accompaniment.openings or model.timpani.openings):
        raise CuecraftError(data, "no drum parts or figures learned from vgmusic/midi (three parts must share a pattern)")
    model.save(out)
    for name, patterns in (("drum grooves", model.drums), ("bass figures", model.bass), ("accompaniment figures", model.accompaniment),
                           ("timpani figures", model.timpani)):  # fmt: skip
        kept = ", ".join(f"{len(o)} in {steps // 4}/4" for steps, o in sorted(patterns.openings.items()))
        console.print(f"{name} from {patterns.parts} parts: {kept}")
    console.print(f"-> {out}")


@app.command("train-emotion-profile")
def train_emotion_profile(
    data: DataOption = Path("../shared/data"),
    out: Annotated[Path, typer.Option("-o", "--out", help="emotion profile (JSON)")] = Path("models/emotion_profile.json"),
    cache: CorporaCacheOption = CORPORA_CACHE,
) -> None:
    """Measure how loud and how chromatic the labelled training pieces of each emotion quadrant are."""
    from cuecraft.model.emotion_profile import EmotionProfile
    from cuecraft.model.training_set import load_split

    training, _ = load_split(data, cache)
    profile = EmotionProfile.fit((p.notes, p.valence, p.arousal) for p in training if p.valence is not None)
    profile.save(out)
    for quadrant in profile.pieces:
        console.print(f"{quadrant}: {profile.pieces[quadrant]} pieces, velocity {profile.velocity[quadrant]:.1f}, "
                      f"{100 * profile.chromatic[quadrant]:.1f} % of notes outside the local key")
    console.print(f"-> {out}")


@app.command("index-originality")
def index_originality(
    data: DataOption = Path("../shared/data"),
    out: Annotated[Path, typer.Option("-o", "--out", help="originality index (.npz)")] = Path("models/originality.npz"),
    cache: CorporaCacheOption = CORPORA_CACHE,
) -> None:
    """Index the training corpus's melodic figures, calibrated on the held-out real pieces, for originality checks."""
    from cuecraft.model.originality import OriginalityIndex
    from cuecraft.model.training_set import load_split

    training, held_out = load_split(data, cache)
    index = OriginalityIndex.build(((p.title, p.notes) for p in training), (p.notes for p in held_out))
    index.save(out)
    console.print(f"{len(index.keys):,} figures of {len(index.titles)} pieces -> {out}; held-out real pieces share "
                  f"{index.baseline['p50']:.0f} notes (median), {index.baseline['p75']:.0f} (upper quartile); flag above {index.threshold_notes}")


corpus_app = typer.Typer(help="Build and query the soundtrack catalog.", no_args_is_help=True)
app.add_typer(corpus_app, name="corpus")
CatalogOption = Annotated[Path, typer.Option("--catalog", help="catalog file (SQLite)")]
WorkersOption = Annotated[int, typer.Option(help="local analysis processes")]
SchedulerOption = Annotated[Optional[str], typer.Option(help="dask scheduler address, e.g. tcp://10.0.0.5:8786")]
DEFAULT_CATALOG = Path("corpus.db")


def _run_ingest(catalog: Path, stage: str, job) -> None:  # noqa: ANN001 - job(Catalog, on_progress) -> IngestReport
    """Open the catalog, run one ingest job with a progress bar, then report what it did."""
    from cuecraft.corpus.catalog import Catalog

    progress = RichProgress()
    try:
        with Catalog(catalog) as cat:
            report = job(cat, progress.counter(stage))
    finally:
        progress.close()
    for line in report.failed:
        print(f"skipped: {line}", file=sys.stderr)
    console.print(f"added {report.added}, duplicates {report.duplicates}, labelled {report.labelled}, "
                  f"skipped {len(report.failed)} unreadable")


@corpus_app.command("add")
def corpus_add(
    paths: Annotated[list[Path], typer.Argument(help="files or folders (searched recursively)")],
    catalog: CatalogOption = DEFAULT_CATALOG,
    source: Annotated[str, typer.Option(help="name recorded as the pieces' source")] = "user",
    labels: Annotated[Optional[Path], typer.Option(help="VGMIDI-style label CSV")] = None,
    workers: WorkersOption = 2,
    scheduler: SchedulerOption = None,
) -> None:
    """Analyse MIDI, MusicXML, ABC and audio files into the catalog (known content is skipped)."""
    from cuecraft.corpus.ingest import ingest
    from cuecraft.corpus.labels import read_vgmidi_labels

    label_map = read_vgmidi_labels(labels) if labels else None
    _run_ingest(catalog, "analysing", lambda cat, cb: ingest(paths, cat, source, label_map, workers, scheduler, cb))


@corpus_app.command("add-vgmidi")
def corpus_add_vgmidi(
    root: Annotated[Path, typer.Argument(help="the VGMIDI folder")] = Path("../shared/data/vgmidi"),
    catalog: CatalogOption = DEFAULT_CATALOG,
    workers: WorkersOption = 2,
    scheduler: SchedulerOption = None,
) -> None:
    """Ingest VGMIDI with its valence/arousal labels."""
    from cuecraft.corpus.sources import ingest_vgmidi

    _run_ingest(catalog, "analysing VGMIDI", lambda cat, cb: ingest_vgmidi(root, cat, workers, scheduler, cb))


@corpus_app.command("add-music21")
def corpus_add_music21(
    catalog: CatalogOption = DEFAULT_CATALOG,
    composer: Annotated[Optional[str], typer.Option(help="only this composer, e.g. bach")] = None,
    limit: Annotated[Optional[int], typer.Option(help="only the first N files")] = None,
    workers: WorkersOption = 2,
    scheduler: SchedulerOption = None,
) -> None:
    """Ingest music21's bundled corpus."""
    from cuecraft.corpus.sources import ingest_music21

    _run_ingest(catalog, "analysing music21", lambda cat, cb: ingest_music21(cat, composer, limit, workers, scheduler, cb))


@corpus_app.command("stats")
def corpus_stats(catalog: CatalogOption = DEFAULT_CATALOG) -> None:
    """Print the catalog's distributions: tempo, key, mode, instrument families, emotion quadrants."""
    from rich.table import Table

    from cuecraft.corpus.catalog import Catalog

    with Catalog(catalog) as cat:
        stats = cat.stats()
    out = Console()
    for name, counts in stats.items():
        table = Table(title=name, title_justify="left")
        table.add_column(name)
        table.add_column("pieces", justify="right")
        ordered = sorted(counts.items()) if name == "tempo" else counts.most_common()
        for value, count in ordered:
            table.add_row(value, str(count))
        out.print(table)


def _parse_range(text: str | None) -> tuple[float | None, float | None]:
    if not text:
        return None, None
    low, _, high = text.partition("-")
    try:
        return float(low) if low else None, float(high) if high else None
    except ValueError:
        raise CuecraftError(text, "not a range (expected e.g. 60-90)") from None


@corpus_app.command("query")
def corpus_query(
    catalog: CatalogOption = DEFAULT_CATALOG,
    mode: Annotated[Optional[str], typer.Option(help="major or minor (modes included), or dorian, phrygian, lydian, mixolydian")] = None,
    key: Annotated[Optional[str], typer.Option(help="e.g. 'D minor'")] = None,
    tempo: Annotated[Optional[str], typer.Option(help="bpm range, e.g. 60-90")] = None,
    quadrant: Annotated[Optional[str], typer.Option(help="e.g. low-valence-low-arousal")] = None,
    family: Annotated[Optional[str], typer.Option(help="GM family, e.g. strings, brass, drums")] = None,
    source: Annotated[Optional[str], typer.Option(help="e.g. vgmidi, music21")] = None,
    limit: Annotated[Optional[int], typer.Option(help="at most N pieces")] = None,
    export: Annotated[Optional[Path], typer.Option(help="write the results to a .csv or .parquet file")] = None,
    timed: Annotated[Optional[str], typer.Option(help="instead of the pieces, their chords, local_keys or sections (beats)")] = None,
) -> None:
    """List the pieces that match every filter given (or export them), or their timed harmony."""
    from cuecraft.corpus.catalog import Catalog, PieceQuery
    from cuecraft.corpus.export import export_rows
    from cuecraft.theory import Key

    low, high = _parse_range(tempo)
    key_name = Key.parse(key).name if key else None
    query = PieceQuery(mode=mode, key=key_name, tempo_min=low, tempo_max=high, quadrant=quadrant, family=family,
                       source=source, limit=limit)  # fmt: skip
    if timed not in (None, "chords", "local_keys", "sections"):
        raise CuecraftError(timed, "unknown timed table (chords, local_keys or sections)")
    with Catalog(catalog) as cat:
        rows = cat.query(query)
        if timed:
            rows = [{"title": row["title"], **span} for row in rows for span in getattr(cat, timed)(row["id"])]
    if export:
        export_rows(rows, export)
        console.print(f"exported {len(rows)} {timed or 'pieces'} to {export}")
        return
    if timed:
        for row in rows:
            print("  ".join(str(v) for v in row.values()))
        console.print(f"{len(rows)} {timed}")
        return
    for row in rows:
        emotion = "" if row["valence"] is None else f"  v={row['valence']:+.0f} a={row['arousal']:+.0f}"
        tempo_text = f"{row['tempo_bpm']:.0f} bpm" if row["tempo_bpm"] else "- bpm"
        print(f"{row['id']:>6}  {row['key'] or '-':<9} {tempo_text:>8}  {','.join(row['families']):<24} {row['title']}{emotion}")
    console.print(f"{len(rows)} pieces")


@app.command()
def deliver(
    project: Annotated[Path, typer.Argument(help="a scored project folder")],
    out: Annotated[Path, typer.Option("-o", "--out", help="delivery folder")],
    preset: Annotated[str, typer.Option(help="loudness spec: default, ebu-r128, atsc-a85, netflix, streaming-music")] = "default",
    composer: Annotated[str, typer.Option(help="composer credit on the cue sheet")] = "Unknown composer",
    publisher: Annotated[str, typer.Option(help="publisher credit on the cue sheet")] = "",
    soundfont: Annotated[Optional[Path], typer.Option(help="General MIDI SoundFont (.sf2)")] = None,
    duck: Annotated[bool, typer.Option(help="dip the score under dialogue found in the film's sound")] = True,
    dialogue: Annotated[Optional[Path], typer.Option(help="a dialogue stem (WAV) to find speech in, instead of the film's sound")] = None,
) -> None:
    """Write the mix, stems, per-cue MIDI/MusicXML, OTIO timeline, EDL, cue sheet and scored film."""
    from cuecraft.deliver.cue_sheet_csv import Credits
    from cuecraft.deliver.package import deliver_project

    progress = RichProgress()
    try:
        result = deliver_project(project, out, preset, Credits(composer=composer, publisher=publisher), soundfont, progress,
                                 duck=duck, dialogue=dialogue)  # fmt: skip
    finally:
        progress.close()
    r = result.loudness
    console.print(f"delivered {len(result.cues)} cues and stems {', '.join(result.stems)} to {out}: "
                  f"{r.integrated_lufs:.1f} LUFS, LRA {r.loudness_range_lu:.1f} LU, true peak {r.true_peak_dbtp:.1f} dBTP")


@app.command()
def adaptive(
    cue: Annotated[str, typer.Argument(help="the cue to export, e.g. 1M3")],
    out: Annotated[Path, typer.Option("-o", "--out", help="package folder")],
    project: ProjectOption = Path("."),
    soundfont: Annotated[Optional[Path], typer.Option(help="General MIDI SoundFont (.sf2)")] = None,
) -> None:
    """Export CUE as adaptive game music: looping intensity layers, segments, stingers, manifest, web player."""
    from cuecraft.deliver.adaptive import export_adaptive

    manifest = export_adaptive(project, cue, out, soundfont)
    console.print(f"wrote {out}: {len(manifest.layers)} layers ({', '.join(l.name for l in manifest.layers)}), "
                  f"{manifest.loop_bars}-bar loop of {manifest.loop_samples} samples; open {out}/index.html over http")


@app.command()
def localize(
    project: Annotated[Path, typer.Argument(help="a scored (ideally approved) project folder")],
    locale: Annotated[str, typer.Option(help="japanese, indian, middle-eastern, latin or celtic")],
    out: Annotated[Path, typer.Option("-o", "--out", help="folder for the localized project")],
    model: Annotated[str, typer.Option(help="transformer (shipped, default) or baseline")] = "transformer",
    model_path: Annotated[Optional[Path], typer.Option(help="checkpoint of the chosen model")] = None,
    seed: Annotated[int, typer.Option(min=0, max=MAX_SEED, help="random seed of the theme (the project's own theme is kept)")] = 0,
) -> None:
    """Re-score PROJECT for a locale: its modes, instruments and rhythms, keeping the film's themes and timing."""
    from cuecraft.localize import localize_project

    progress = RichProgress()
    try:
        result = localize_project(project, locale, out, ScoreConfig(model=model, model_path=model_path, seed=seed), progress)
    finally:
        progress.close()
    console.print(f"localized {len(result.project.cues)} cues for {locale} into {out}; "
                  f"loudness {result.loudness.integrated_lufs:.1f} LUFS")


@app.command()
def conform(
    project: Annotated[Path, typer.Argument(help="the scored project folder")],
    new_cut: Annotated[Path, typer.Option("--new-cut", help="the re-cut: .otio, .edl, or the new video")],
    out: Annotated[Path, typer.Option("-o", "--out", help="folder for the conformed project")],
    new_film: Annotated[Optional[Path], typer.Option(help="the new cut's video, when --new-cut is a timeline")] = None,
) -> None:
    """Follow a re-cut: keep unchanged cues byte for byte, re-fit changed ones, report each."""
    from cuecraft.conform import conform_project

    outcomes = conform_project(project, new_cut, out, new_film)
    for o in outcomes:
        span = f"{o.new_frames[0]}-{o.new_frames[1]}" if o.new_frames else "-"
        change = f"{o.bars_added:+d} bars, tempo {min(o.tempos):.1f}-{max(o.tempos):.1f}" if o.outcome == "re-fitted" else ""
        print(f"{o.cue:<5} {o.outcome:<17} frames {o.old_frames[0]}-{o.old_frames[1]} -> {span:<12} {change} {o.note}".rstrip())
    console.print(f"wrote {out}/project.json and {out}/conform_report.json")


@app.command("import-timeline")
def import_timeline(
    edit: Annotated[Path, typer.Argument(help="the editor's timeline: .otio or CMX 3600 .edl")],
    film: Annotated[Path, typer.Option(help="the film the timeline cuts (for its frame rate and length)")],
    out: Annotated[Path, typer.Option("-o", "--out", help="cue sheet to write (YAML)")] = Path("cues.yaml"),
    min_cue: Annotated[float, typer.Option(help="shortest cue when grouping picture cuts, seconds")] = 6.0,
) -> None:
    """Spot from an edit: music clips (or grouped picture cuts) become cues, markers become hit points."""
    from cuecraft.deliver.edit_import import cues_from_edit
    from cuecraft.film.cue_sheet import write_cue_sheet
    from cuecraft.film.probe import probe_video

    sheet = cues_from_edit(edit, probe_video(film), min_cue)
    write_cue_sheet(out, sheet)
    console.print(f"wrote {out}: {len(sheet.cues)} cues from {edit}; score with `cuecraft score {film} --cues {out}`")



def _service(project: Path, model: str = "transformer", model_path: Optional[Path] = None):  # noqa: ANN202
    from cuecraft.model.loading import load_composer
    from cuecraft.review.service import ReviewService

    return ReviewService(project, composer=lambda: load_composer(model, model_path, DEFAULT_BASELINE_PATH))  # type: ignore[arg-type]


def _actor(user: str):  # noqa: ANN202
    from cuecraft.review.service import Actor

    return Actor(user, "composer")


@app.command()
def takes(project: ProjectOption = Path(".")) -> None:
    """List every cue with its takes, their status, locks, and originality against the training music."""
    current, version = _service(project).project()
    print(f"{current.name}  (version {version})")
    for cue in current.cues:
        lock = "  LOCKED" if cue.locked else ""
        print(f"{cue.id:<5} {current.film.timecode(cue.start_frame)}-{current.film.timecode(cue.end_frame)}{lock}")
        for take in cue.takes:
            chosen = "*" if take is cue.chosen_take() else " "
            print(f"   {chosen} {take.id:<8} {take.status.value:<9} {take.settings.style:<17} {take.settings.key:<9} "
                  f"{take.settings.tempo:>5.0f} bpm  {take.settings.theme}  seed {take.settings.seed}  {take.source}")
            print(f"       originality: {take.originality.summary if take.originality else 'not checked'}")


def _set_status(project: Path, cue: str, take: str, status: str, user: str) -> None:
    from cuecraft.project import TakeStatus

    _service(project).set_status(_actor(user), cue, take, TakeStatus(status))
    console.print(f"{cue}: {take} {status}")


@app.command()
def approve(cue: str, take: str, project: ProjectOption = Path("."), user: UserOption = LOCAL_USER) -> None:
    """Approve TAKE of CUE (any previously approved take of the cue goes back to pending)."""
    _set_status(project, cue, take, "approved", user)


@app.command()
def reject(cue: str, take: str, project: ProjectOption = Path("."), user: UserOption = LOCAL_USER) -> None:
    """Reject TAKE of CUE."""
    _set_status(project, cue, take, "rejected", user)


@app.command()
def lock(cue: str, project: ProjectOption = Path("."), user: UserOption = LOCAL_USER,
         unlock: Annotated[bool, typer.Option("--unlock", help="lift the lock instead")] = False) -> None:  # fmt: skip
    """Lock CUE: its music is never regenerated, overwritten or re-decided until unlocked."""
    _service(project).set_lock(_actor(user), cue, not unlock)
    console.print(f"{cue}: {'unlocked' if unlock else 'locked'}")


@app.command()
def note(cue: str, text: str, project: ProjectOption = Path("."), user: UserOption = LOCAL_USER,
         take: Annotated[Optional[str], typer.Option(help="annotate this take rather than the cue")] = None) -> None:  # fmt: skip
    """Write a note on CUE (or one of its takes)."""
    _service(project).add_note(_actor(user), cue, text, take)
    console.print(f"{cue}: note added")


@app.command()
def regenerate(
    cue: str,
    project: ProjectOption = Path("."),
    user: UserOption = LOCAL_USER,
    key: Annotated[Optional[str], typer.Option(help="e.g. 'E minor'")] = None,
    tempo: Annotated[Optional[float], typer.Option(help="quarter notes per minute")] = None,
    style: Annotated[Optional[str], typer.Option(help="ensemble preset")] = None,
    seed: Annotated[Optional[int], typer.Option(min=0, max=MAX_SEED, help="random seed")] = None,
    valence: Annotated[Optional[float], typer.Option(help="-1..1")] = None,
    arousal: Annotated[Optional[float], typer.Option(help="-1..1")] = None,
    intensity: Annotated[Optional[float], typer.Option(help="0..1")] = None,
    treatment: Annotated[Optional[str], typer.Option(help="how the theme is developed: statement, augmentation, diminution, fragmentation, reharmonization")] = None,
    theme: Annotated[Optional[str], typer.Option(help="the film theme to quote: T1 (main) or T2 (secondary)")] = None,
    model: Annotated[str, typer.Option(help="transformer (shipped, default) or baseline")] = "transformer",
    model_path: Annotated[Optional[Path], typer.Option(help="checkpoint of the chosen model")] = None,
) -> None:
    """Compose a new take of CUE with changed settings (other takes are kept; a locked cue refuses)."""
    from cuecraft.review.service import SettingsChange

    change = SettingsChange(key=key, tempo=tempo, style=style, seed=seed, valence=valence, arousal=arousal, intensity=intensity,
                            theme_treatment=treatment, theme=theme)  # fmt: skip
    made = _service(project, model, model_path).regenerate(_actor(user), cue, change)
    console.print(f"{cue}: new take {made.id} ({made.settings.style}, {made.settings.key}, {made.settings.tempo:g} bpm) -> {made.audio}")


@app.command()
def level(
    cue: str,
    take: str,
    db: Annotated[float, typer.Option(help="trim of the take's planned loudness in dB (-24..24); 0 = as planned")],
    project: ProjectOption = Path("."),
    user: UserOption = LOCAL_USER,
) -> None:
    """A new take of CUE with TAKE's very notes at another level (the music is not recomposed)."""
    made = _service(project).set_level(_actor(user), cue, take, db)
    console.print(f"{cue}: new take {made.id} ({made.source}) -> {made.audio}")


@app.command("regenerate-bars")
def regenerate_bars_command(
    cue: str,
    take: str,
    bars: Annotated[str, typer.Option(help="bar range to compose afresh, e.g. 9-12 (1-based, inclusive)")],
    project: ProjectOption = Path("."),
    user: UserOption = LOCAL_USER,
    seed: Annotated[int, typer.Option(min=0, max=MAX_SEED, help="random seed for the new bars")] = 1,
    family: Annotated[Optional[str], typer.Option(help="change only this instrument family (strings, brass, woodwinds, keys, percussion, synth, world)")] = None,
    model: Annotated[str, typer.Option(help="transformer (shipped, default) or baseline")] = "transformer",
    model_path: Annotated[Optional[Path], typer.Option(help="checkpoint of the chosen model")] = None,
) -> None:
    """A new take of CUE equal to TAKE except the given bars (of one family), composed afresh."""
    first, _, last = bars.partition("-")
    if not (first.strip().isdigit() and (last.strip() or first).isdigit()):
        raise CuecraftError(bars, "not a bar range (expected N-M, e.g. 9-12)")
    made = _service(project, model, model_path).regenerate_bars(_actor(user), cue, take, int(first), int(last or first), seed,
                                                                family=family)  # fmt: skip
    console.print(f"{cue}: new take {made.id} ({made.source}) -> {made.audio}")


@app.command("import-take")
def import_take(cue: str, midi: Annotated[Path, typer.Argument(help="the cue's MIDI or MusicXML as edited in a DAW")],
                project: ProjectOption = Path("."), user: UserOption = LOCAL_USER) -> None:  # fmt: skip
    """Make a composer's edited MIDI a new take of CUE, rendered like the others."""
    made = _service(project).import_take(_actor(user), cue, midi)
    console.print(f"{cue}: imported {midi} as take {made.id}")


@app.command()
def history(project: ProjectOption = Path("."), cue: Annotated[Optional[str], typer.Option(help="only this cue")] = None) -> None:
    """The audit log: who decided what, and when."""
    for entry in _service(project).store.history(cue):
        detail = json.dumps(entry.detail) if entry.detail else ""
        print(f"{entry.at}  {entry.user:<12} {entry.action:<11} {entry.cue or '':<5} {entry.take or '':<8} {detail}")


@app.command("add-user")
def add_user_command(
    name: str,
    role: Annotated[str, typer.Option(help="composer, director, editor or viewer")],
    project: ProjectOption = Path("."),
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, envvar="CUECRAFT_PASSWORD", help="at least 8 characters")] = "",
) -> None:
    """Add (or reset) a review-app user of the project."""
    from cuecraft.review.auth import add_user

    add_user(_service(project).store, name, role, password, by=LOCAL_USER)
    console.print(f"user {name} ({role}) can now log in to the review app")


@app.command()
def review(
    project: Annotated[Path, typer.Argument(help="the project folder to review")],
    host: Annotated[str, typer.Option(help="address to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="port")] = 8000,
    model: Annotated[str, typer.Option(help="model for regeneration: transformer or baseline")] = "transformer",
    model_path: Annotated[Optional[Path], typer.Option(help="checkpoint of the chosen model")] = None,
) -> None:
    """Start the review web app on PROJECT (add users first with `cuecraft add-user`)."""
    import uvicorn

    from cuecraft.review.webapp import create_app

    web = create_app(_service(project, model, model_path))
    console.print(f"review app for {project} on http://{host}:{port}/")
    uvicorn.run(web, host=host, port=port, log_level="warning")


@app.command()
def probe(film: Annotated[Path, typer.Argument(help="a video file")]) -> None:
    """Print what cuecraft reads from a video: frames, frame rate, size, duration, audio."""
    from cuecraft.film.probe import probe_video

    print(json.dumps(probe_video(film).model_dump(), indent=2))


def _terminated(signum: int, frame: object) -> None:
    print("error: stopped (SIGTERM): unfinished outputs were removed", file=sys.stderr)
    sys.exit(143)


SNDFILE_SYSTEM_ERROR = 2  # libsndfile's SF_ERR_SYSTEM: the operating system refused a read or write
WRITE_FAILURES = {errno.ENOSPC: "no space left on the device", errno.EDQUOT: "disk quota exceeded",
                  errno.EROFS: "the file system is read-only", errno.EACCES: "permission denied"}  # fmt: skip


def main() -> None:
    """Entry point: bad input ends in one line on stderr and exit status 2, never a traceback. A
    SIGTERM unwinds like Ctrl-C, so staging folders and temporary files are cleaned up on the way out."""
    import soundfile

    signal.signal(signal.SIGTERM, _terminated)
    try:
        app()
    except CuecraftError as exc:
        print(f"error: {exc}", file=sys.stderr)  # plain print: one line, never wrapped
        sys.exit(2)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or exc.title
        print(f"error: settings: {field}: {first['msg']}", file=sys.stderr)
        sys.exit(2)
    except OSError as exc:
        if exc.errno not in WRITE_FAILURES:
            raise
        print(f"error: {exc.filename or 'output'}: {WRITE_FAILURES[exc.errno]} (nothing earlier was overwritten)", file=sys.stderr)
        sys.exit(2)
    except soundfile.LibsndfileError as exc:
        if exc.code != SNDFILE_SYSTEM_ERROR:
            raise
        print("error: audio could not be written: the disk is full or the output read-only (nothing earlier was overwritten)", file=sys.stderr)
        sys.exit(2)
