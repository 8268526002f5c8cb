"""`import-timeline`: spot from the editor's cut instead of shot detection.

An OTIO file or CMX 3600 EDL is read with OpenTimelineIO. If it has a music track (an audio track
named music/score/cue, or the only audio when there is no picture track) its clips are the cues;
otherwise picture clips are shots, grouped in order into cues of at least `min_cue_s`, and the cuts
inside a cue become its hit points. Every marker becomes a hit point of the cue it falls in.
"""

from __future__ import annotations

import re
from pathlib import Path

import opentimelineio as otio

from cuecraft.errors import CuecraftError
from cuecraft.film.cue_sheet import CueSheet, CueSheetEntry
from cuecraft.project import FilmInfo

MUSIC_TRACK = re.compile(r"music|score|cue", re.IGNORECASE)
CUE_ID = re.compile(r"\b\d+M\d+\b")


def read_edit(path: Path, film: FilmInfo) -> otio.schema.Timeline:
    """The timeline in an .otio/.edl file (EDL timecodes read at the film's rate)."""
    if not path.is_file():
        raise CuecraftError(path, "no such timeline file")
    options = {"rate": float(film.fps)} if path.suffix.lower() == ".edl" else {}
    try:
        timeline = otio.adapters.read_from_file(str(path), **options)
    except Exception as exc:  # adapters raise their own exception types for malformed files
        raise CuecraftError(path, f"not a readable timeline ({exc.__class__.__name__}: {str(exc).splitlines()[0] if str(exc) else ''})") from None
    if not isinstance(timeline, otio.schema.Timeline):
        raise CuecraftError(path, "holds no timeline")
    return timeline


def _frames(time: otio.opentime.RationalTime, film: FilmInfo) -> int:
    return round(time.to_seconds() * float(film.fps))


def _clip_spans(track: otio.schema.Track, film: FilmInfo) -> list[tuple[str, int, int]]:
    """(name, first frame, end frame) of every clip on a track, in timeline time."""
    spans = []
    for clip in track.find_clips():
        placed = clip.range_in_parent()
        start = _frames(placed.start_time, film)
        spans.append((clip.name, start, start + _frames(placed.duration, film)))
    return spans


def _markers(timeline: otio.schema.Timeline, film: FilmInfo) -> list[int]:
    """Frames (in timeline time) of every marker on the timeline, its tracks and its clips."""
    frames = [_frames(m.marked_range.start_time, film) for m in timeline.tracks.markers]
    for track in timeline.tracks:
        frames += [_frames(m.marked_range.start_time, film) for m in track.markers]
        for clip in track.find_clips():
            offset = clip.range_in_parent().start_time - clip.trimmed_range().start_time
            frames += [_frames(m.marked_range.start_time + offset, film) for m in clip.markers]
    return sorted(set(frames))


def _music_track(timeline: otio.schema.Timeline) -> otio.schema.Track | None:
    audio = [t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Audio and any(True for _ in t.find_clips())]
    named = [t for t in audio if MUSIC_TRACK.search(t.name or "")]
    if named:
        return named[0]
    has_picture = any(t.kind == otio.schema.TrackKind.Video for t in timeline.tracks)
    return audio[0] if audio and not has_picture else None


def cues_from_edit(path: Path, film: FilmInfo, min_cue_s: float = 6.0) -> CueSheet:
    """A cue sheet (see film.cue_sheet) spotted from the editor's timeline at `path`."""
    timeline = read_edit(path, film)
    music = _music_track(timeline)
    if music is not None:
        spans = [(name, start, end, []) for name, start, end in _clip_spans(music, film)]
    else:
        video = next((t for t in timeline.tracks if t.kind == otio.schema.TrackKind.Video), None)
        if video is None:
            raise CuecraftError(path, "has neither a picture nor a music track")
        spans = _group_shots(_clip_spans(video, film), round(min_cue_s * float(film.fps)))
    markers = _markers(timeline, film)
    entries = []
    for number, (name, start, end, cuts) in enumerate(spans, 1):
        start, end = max(0, start), min(end, film.n_frames)
        if end <= start:
            continue
        found = CUE_ID.search(name or "")
        hits = sorted({f for f in [*cuts, *markers] if start < f < end})
        entries.append(CueSheetEntry(id=found.group(0) if found else f"1M{number}", start=film.timecode(start),
                                     end=film.timecode(end), hit_points=[film.timecode(h) for h in hits],
                                     notes=f"from {path.name}: {name}".strip()))  # fmt: skip
    if not entries:
        raise CuecraftError(path, "no clip of the timeline lies within the film")
    return CueSheet(film=film.path, cues=entries)


def _group_shots(shots: list[tuple[str, int, int]], min_frames: int) -> list[tuple[str, int, int, list[int]]]:
    """Consecutive shots joined until each group lasts at least `min_frames`; inner cuts kept as hit points."""
    groups: list[tuple[str, int, int, list[int]]] = []
    for name, start, end in shots:
        if groups and (groups[-1][2] - groups[-1][1] < min_frames) and groups[-1][2] == start:
            first, g_start, _, cuts = groups[-1]
            groups[-1] = (first, g_start, end, [*cuts, start])
        else:
            groups.append((name, start, end, []))
    return groups
