"""The editable spotting: a YAML cue sheet that `cuecraft spot` writes, a music editor edits, and
`cuecraft score --cues` reads. Times are SMPTE non-drop timecodes at the film's nominal rate.

    film: /path/film.mp4
    cues:
    - id: 1M1
      in: 00:00:00:00
      out: 00:00:10:00
      music: true            # false: no music here
      style: auto            # or a preset of compose.styles
      theme: T2              # the theme it quotes: T1 main, T2 secondary, auto (by the scene)
      valence: 0.85          # optional mood override, -1..1
      arousal: -0.43
      intensity: 0.41        # 0..1
      hit_points: [00:00:04:12]
      ending: auto           # ring-out, button, fade, segue, unresolved; auto: by what follows the cue
      why: "in on the fade from black; out before the dialogue scene"   # the spotting's reason
      notes: "hold back until the door opens"
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from cuecraft.atomic import write_text_atomic
from cuecraft.compose.styles import STYLES
from cuecraft.compose.theme import THEME_IDS
from cuecraft.errors import CuecraftError
from cuecraft.project import CueId, Ending, FilmInfo


class CueSheetEntry(BaseModel):
    model_config = ConfigDict(populate_by_name=True, extra="forbid")

    id: CueId
    start: str = Field(alias="in")
    end: str = Field(alias="out")
    music: bool = True
    style: str = "auto"
    theme: str = "auto"
    valence: float | None = Field(None, ge=-1, le=1)
    arousal: float | None = Field(None, ge=-1, le=1)
    intensity: float | None = Field(None, ge=0, le=1)
    hit_points: list[str] = Field(default_factory=list)
    ending: Ending | Literal["auto"] = "auto"
    why: str = ""
    notes: str = ""


class CueSheet(BaseModel):
    model_config = ConfigDict(extra="forbid")

    film: str = ""
    cues: list[CueSheetEntry]


class SheetCue(BaseModel):
    """A validated cue-sheet entry in frames."""

    entry: CueSheetEntry
    start_frame: int
    end_frame: int
    hit_frames: list[int]


def write_cue_sheet(path: str | Path, sheet: CueSheet) -> None:
    data = sheet.model_dump(by_alias=True, exclude_none=True)
    write_text_atomic(path, yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


class _TimecodeLoader(yaml.SafeLoader):
    """YAML 1.1 reads an unquoted 10:00:00:00 as a base-60 number (2160000): here such scalars stay
    the timecodes an editor typed, while plain numbers are still numbers."""


_TimecodeLoader.yaml_implicit_resolvers = {
    first: [(tag, regexp) for tag, regexp in resolvers if tag not in ("tag:yaml.org,2002:int", "tag:yaml.org,2002:float")]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}  # fmt: skip
_TimecodeLoader.add_implicit_resolver("tag:yaml.org,2002:int", re.compile(r"^[-+]?[0-9][0-9_]*$"), list("-+0123456789"))
_TimecodeLoader.add_implicit_resolver("tag:yaml.org,2002:float", re.compile(r"^[-+]?(?:[0-9][0-9_]*\.[0-9_]*|\.[0-9]+)(?:[eE][-+]?[0-9]+)?$"),
                                      list("-+0123456789."))  # fmt: skip


def read_cue_sheet(path: str | Path, film: FilmInfo) -> list[SheetCue]:
    """Parse and check a cue sheet against the film; CuecraftError names the file and the first problem."""
    path = Path(path)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_TimecodeLoader)  # noqa: S506 - a SafeLoader
        if not isinstance(data, dict):
            raise CuecraftError(path, "not a cue sheet: it is empty, or not a mapping with film: and cues:")
        sheet = CueSheet.model_validate(data)
    except FileNotFoundError:
        raise CuecraftError(path, "no such cue sheet") from None
    except (UnicodeDecodeError, yaml.YAMLError) as exc:
        raise CuecraftError(path, f"not a readable YAML cue sheet ({exc.__class__.__name__})") from None
    except RecursionError:
        raise CuecraftError(path, "not a cue sheet: its YAML is nested too deeply") from None
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise CuecraftError(path, f"{where}: {first['msg']}") from None
    return check_cues(path, sheet, film)


def check_cues(path: Path, sheet: CueSheet, film: FilmInfo) -> list[SheetCue]:
    """Frames of every cue, in order, refusing what a music editor would call a mistake."""
    cues, seen = [], set()
    for entry in sheet.cues:
        if entry.id in seen:
            raise CuecraftError(path, f"cue {entry.id}: the id is used twice")
        seen.add(entry.id)
        if entry.style not in STYLES:
            raise CuecraftError(path, f"cue {entry.id}: unknown style {entry.style!r} (one of: {', '.join(STYLES)})")
        if entry.theme not in ("auto", *THEME_IDS):
            raise CuecraftError(path, f"cue {entry.id}: unknown theme {entry.theme!r} (one of: auto, {', '.join(THEME_IDS)})")
        try:
            start, end = film.frames_at(entry.start), film.frames_at(entry.end)
            hits = [film.frames_at(h) for h in entry.hit_points]
        except ValueError as exc:
            raise CuecraftError(path, f"cue {entry.id}: {exc}") from None
        if end <= start:
            raise CuecraftError(path, f"cue {entry.id}: out {entry.end} is not after in {entry.start}")
        if end > film.n_frames:
            raise CuecraftError(path, f"cue {entry.id}: out {entry.end} is past the end of the film ({film.timecode(film.n_frames)})")
        if any(not start < h < end for h in hits):
            raise CuecraftError(path, f"cue {entry.id}: a hit point lies outside the cue")
        cues.append(SheetCue(entry=entry, start_frame=start, end_frame=end, hit_frames=sorted(hits)))
    cues.sort(key=lambda c: c.start_frame)
    for a, b in zip(cues, cues[1:]):
        if b.start_frame < a.end_frame:
            raise CuecraftError(path, f"cues {a.entry.id} and {b.entry.id} overlap ({b.entry.start} is before {a.entry.end})")
    return cues
