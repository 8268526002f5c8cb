"""The music cue sheet a production files with performing-rights societies: one row per cue."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from pydantic import BaseModel

from cuecraft.atomic import write_text_atomic
from cuecraft.project import Project

USAGES = ("BI", "BV", "VI", "VV", "MT", "ET")  # background/visual, instrumental/vocal; main/end title
COLUMNS = ("cue", "title", "in", "out", "duration", "duration_s", "usage", "composer", "publisher", "take",
           "take_status", "dialogue", "ai_assistance", "originality")  # fmt: skip


class Credits(BaseModel):
    """Who the cue sheet credits, and how the AI's part is disclosed."""

    composer: str = "Unknown composer"
    publisher: str = ""
    usage: str = "BI"


def cue_sheet_rows(project: Project, credits: Credits, spoken: set[str] = frozenset()) -> list[dict[str, str]]:
    """A row per cue with music and a usable take, times as non-drop timecode at the film's rate;
    `spoken` names the cues with dialogue under them."""
    film, rows = project.film, []
    for cue in project.cues:
        take = cue.chosen_take()
        if not cue.music or take is None:
            continue
        duration = film.frames_to_seconds(cue.n_frames)
        rows.append({
            "cue": cue.id, "title": cue.title or f"{project.name} {cue.id}",
            "in": film.timecode(cue.start_frame), "out": film.timecode(cue.end_frame),
            "duration": f"{int(duration // 60)}:{float(duration % 60):06.3f}", "duration_s": f"{float(duration):.3f}",
            "usage": credits.usage, "composer": credits.composer, "publisher": credits.publisher,
            "take": take.id, "take_status": take.status.value, "dialogue": "yes" if cue.id in spoken else "no",
            "ai_assistance": f"composed with AI assistance: cuecraft model '{take.model}' ({take.source}), "
                             f"{take.status.value} by the composer",
            "originality": take.originality.summary if take.originality else "not checked",
        })  # fmt: skip
    return rows


def write_cue_sheet_csv(project: Project, credits: Credits, target: Path, spoken: set[str] = frozenset()) -> None:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(cue_sheet_rows(project, credits, spoken))
    write_text_atomic(target, buffer.getvalue())
