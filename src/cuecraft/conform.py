"""`conform`: follow a re-cut. Every cue is mapped onto the new cut (film.edit_map): a cue whose
picture plays unbroken in the new cut keeps its takes byte for byte at its new position; a cue whose
picture changed is re-fitted (compose.refit: bars added or removed before the cadence, tempo map
re-solved for the new hit points) and rendered as a new take; a cue whose picture is gone is dropped;
a locked cue whose picture changed is left for the composer. A report lists what happened to each.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import asdict, dataclass, field
from pathlib import Path

from cuecraft.atomic import staged_folder, write_text_atomic
from cuecraft.compose.refit import refit_cue
from cuecraft.config import SAMPLE_RATE
from cuecraft.corpus.symbolic import load_midi
from cuecraft.errors import CuecraftError
from cuecraft.film.edit_map import EditMap, map_from_timeline, map_from_video
from cuecraft.film.picture import read_picture
from cuecraft.project import PROJECT_FILE, Cue, Project, TakeStatus
from cuecraft.render.soundfont import find_soundfont
from cuecraft.render.synth import Renderer
from cuecraft.takes import hit_seconds, next_take_number, render_take, write_take

REPORT_FILE = "conform_report.json"


@dataclass
class CueOutcome:
    cue: str
    outcome: str  # unchanged | re-fitted | needs a new take | removed
    old_frames: tuple[int, int]
    new_frames: tuple[int, int] | None
    bars_added: int = 0
    tempos: list[float] = field(default_factory=list)
    note: str = ""


def edit_map_for(project: Project, new_cut: Path, new_film: Path | None) -> EditMap:
    """The old-to-new frame map from an editor's timeline, or from a re-cut video by shot matching."""
    if not new_cut.is_file():
        raise CuecraftError(new_cut, "no such file")
    if new_cut.suffix.lower() in (".otio", ".edl"):
        return map_from_timeline(new_cut, project.film, new_film)
    old_starts = sorted({f for c in project.cues for f in (c.start_frame, *c.shot_starts)} - {0})
    return map_from_video(project.film, read_picture(project.film).stats, old_starts, new_cut)


def conform_project(project_dir: str | Path, new_cut: str | Path, outdir: str | Path, new_film: Path | None = None,
                    soundfont: Path | None = None) -> list[CueOutcome]:  # fmt: skip
    """Conform the project in `project_dir` to `new_cut` into the new project folder `outdir`."""
    project_dir, outdir = Path(project_dir), Path(outdir)
    if outdir.resolve() == project_dir.resolve():
        raise CuecraftError(outdir, "a conformed project goes into a new folder, next to the original")
    project = Project.load(project_dir)
    edit = edit_map_for(project, Path(new_cut), new_film)
    renderer = Renderer(find_soundfont(soundfont), SAMPLE_RATE)
    outcomes, cues = [], []
    with staged_folder(outdir, last=PROJECT_FILE) as staging:
        for cue in project.cues:
            outcome, moved = _conform_cue(cue, project, edit, project_dir, staging, renderer)
            outcomes.append(outcome)
            if moved is not None:
                cues.append(moved)
        conformed = project.model_copy(update={"film": edit.new_film, "cues": cues})
        write_text_atomic(staging / REPORT_FILE, json.dumps([asdict(o) for o in outcomes], indent=2) + "\n")
        conformed.save(staging)
    return outcomes


def _conform_cue(cue: Cue, project: Project, edit: EditMap, source: Path, staging: Path, renderer: Renderer) -> tuple[CueOutcome, Cue | None]:
    old = (cue.start_frame, cue.end_frame)
    mapped = [f for f in (edit.new_frame(x) for x in range(*old)) if f is not None]
    if not mapped:
        return CueOutcome(cue.id, "removed", old, None, note="its picture was cut"), None
    if edit.unchanged(*old):
        start = edit.new_frame(cue.start_frame)
        shift = start - cue.start_frame
        for take in cue.takes:
            for relative in (take.midi, take.audio):
                (staging / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source / relative, staging / relative)
        moved = cue.model_copy(update={"start_frame": start, "end_frame": cue.end_frame + shift,
                                       "shot_starts": [f + shift for f in cue.shot_starts], "hit_points": [h + shift for h in cue.hit_points]})  # fmt: skip
        return CueOutcome(cue.id, "unchanged", old, (moved.start_frame, moved.end_frame), note=f"moved by {shift} frames" if shift else ""), moved
    start = min(mapped)
    end = next((s for s in sorted(edit.new_shot_starts) if s > max(mapped)), edit.new_film.n_frames)  # a lengthened shot runs on
    cuts = [s for s in edit.new_shot_starts if start < s < end]
    hits = sorted({*(h for h in (edit.new_frame(h) for h in cue.hit_points) if h is not None and start < h < end), *cuts})
    new_cue = cue.model_copy(update={"start_frame": start, "end_frame": end, "shot_starts": [start, *cuts], "hit_points": hits, "takes": []})
    take = cue.chosen_take()
    if cue.locked or take is None or not cue.music:
        why = "locked: the composer decides" if cue.locked else "no take to re-fit"
        return CueOutcome(cue.id, "needs a new take", old, (start, end), note=why), new_cue
    film = edit.new_film
    try:
        refit = refit_cue(load_midi(source / take.midi), take.settings, float(project.film.frames_to_seconds(cue.n_frames)),
                          float(film.frames_to_seconds(end - start)), hit_seconds(film, new_cue), cue.id)  # fmt: skip
    except CuecraftError as exc:
        return CueOutcome(cue.id, "needs a new take", old, (start, end), note=str(exc)), new_cue
    audio = render_take(renderer, film, new_cue, refit.midi, take.settings)
    made = write_take(staging, new_cue, next_take_number(source, cue), refit.midi, audio, SAMPLE_RATE, take.settings, take.model,
                      f"conformed from {take.id}")  # fmt: skip
    made.status = take.status if take.status == TakeStatus.approved else TakeStatus.pending
    new_cue.takes = [made]
    return CueOutcome(cue.id, "re-fitted", old, (start, end), refit.bars_added, list(refit.tempos)), new_cue
