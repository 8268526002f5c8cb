"""Words that come with a film: SubRip subtitles (timed) and a screenplay or scene brief (untimed,
Fountain or plain text), read strictly so a bad file fails with its name and line."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from cuecraft.errors import CuecraftError

TIMING = re.compile(r"^(\d{1,2}):(\d{2}):(\d{2})[,.](\d{3})\s*-->\s*(\d{1,2}):(\d{2}):(\d{2})[,.](\d{3})(?:\s.*)?$")
SCENE_HEADING = re.compile(r"^(?:INT|EXT|EST|INT\./EXT|I/E)[. ]|^\.(?=[A-Z])")
TAG = re.compile(r"<[^>]+>|\{[^}]*\}")


@dataclass(frozen=True)
class Subtitle:
    start_s: float
    end_s: float
    text: str


def _read_text(path: Path) -> str:
    try:
        return path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise CuecraftError(path, "no such file") from None
    except UnicodeDecodeError as exc:
        raise CuecraftError(path, f"is not UTF-8 text (byte {exc.start}); re-save it as UTF-8") from None


def read_srt(path: str | Path) -> list[Subtitle]:
    """Subtitles of a SubRip file; a malformed block is an error naming its line."""
    path = Path(path)
    lines = _read_text(path).replace("\r\n", "\n").replace("\r", "\n").split("\n")
    subtitles, i = [], 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        if not lines[i].strip().isdigit():
            raise CuecraftError(path, f"line {i + 1}: expected a subtitle number, found {lines[i].strip()[:40]!r}")
        if i + 1 >= len(lines) or not (match := TIMING.match(lines[i + 1].strip())):
            raise CuecraftError(path, f"line {i + 2}: bad timestamp (expected HH:MM:SS,mmm --> HH:MM:SS,mmm)")
        h1, m1, s1, f1, h2, m2, s2, f2 = (int(g) for g in match.groups())
        if m1 > 59 or s1 > 59 or m2 > 59 or s2 > 59:
            raise CuecraftError(path, f"line {i + 2}: bad timestamp (minutes and seconds run 00-59)")
        start, end = h1 * 3600 + m1 * 60 + s1 + f1 / 1000, h2 * 3600 + m2 * 60 + s2 + f2 / 1000
        if end <= start:
            raise CuecraftError(path, f"line {i + 2}: the subtitle ends before it starts")
        j = i + 2
        text = []
        while j < len(lines) and lines[j].strip():
            text.append(TAG.sub("", lines[j]).strip())
            j += 1
        subtitles.append(Subtitle(start, end, " ".join(text)))
        i = j
    if not subtitles:
        raise CuecraftError(path, "holds no subtitles")
    return subtitles


def check_against_film(path: str | Path, subtitles: list[Subtitle], duration_s: float) -> None:
    """Refuse subtitles that cannot belong to the film: a line that starts after the film has ended."""
    late = [s for s in subtitles if s.start_s >= duration_s]
    if late:
        raise CuecraftError(path, f"{len(late)} line(s) start after the film ends ({late[0].start_s:.1f} s into a {duration_s:.1f}-s film): "
                                  "subtitles of another film or another cut?")  # fmt: skip


def read_scenes(path: str | Path) -> list[str]:
    """The scenes of a screenplay (Fountain: split at scene headings) or brief (plain text: paragraphs)."""
    path = Path(path)
    text = _read_text(path).replace("\r\n", "\n")
    lines = text.split("\n")
    if any(SCENE_HEADING.match(line.strip()) for line in lines):
        scenes: list[list[str]] = []
        for line in lines:
            if SCENE_HEADING.match(line.strip()):
                scenes.append([line.strip().lstrip(".")])
            elif scenes and line.strip():
                scenes[-1].append(line.strip())
        found = [" ".join(s) for s in scenes]
    else:
        found = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text) if p.strip()]
    if not found:
        raise CuecraftError(path, "holds no scenes")
    return found


def words_per_cue(spans: list[tuple[float, float]], duration_s: float, subtitles: list[Subtitle], scenes: list[str]) -> list[str]:
    """The words each cue (start, end in seconds) carries: subtitles overlapping it, and the scenes of
    the screenplay whose share of the film (scenes spread evenly over its length) overlaps it."""
    texts = []
    for start, end in spans:
        said = [s.text for s in subtitles if s.start_s < end and s.end_s > start]
        share = duration_s / len(scenes) if scenes else 0.0
        described = [scene for i, scene in enumerate(scenes) if i * share < end and (i + 1) * share > start]
        texts.append(" ".join([*described, *said]).strip())
    return texts
