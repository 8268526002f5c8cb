"""OpenTimelineIO interchange: the delivered score as an editor's timeline (picture + one audio
track per stem, a clip per cue at its timecode, hit points as markers), and a CMX 3600 EDL."""

from __future__ import annotations

from pathlib import Path

import opentimelineio as otio

from cuecraft.atomic import atomic_path
from cuecraft.project import FilmInfo, Project

MIX_TRACK = "score mix"


def _range(film: FilmInfo, start_frame: int, frames: int) -> otio.opentime.TimeRange:
    rate = float(film.fps)
    return otio.opentime.TimeRange(otio.opentime.RationalTime(start_frame, rate), otio.opentime.RationalTime(frames, rate))


def _audio_track(project: Project, name: str, media: str) -> otio.schema.Track:
    """A track with a clip for each scored cue, cut from `media` (a full-film-length WAV) at the cue's frames."""
    film = project.film
    track = otio.schema.Track(name=name, kind=otio.schema.TrackKind.Audio)
    position = 0
    for cue in project.cues:
        if not cue.music or cue.chosen_take() is None:
            continue
        if cue.start_frame > position:
            track.append(otio.schema.Gap(source_range=_range(film, 0, cue.start_frame - position)))
        reference = otio.schema.ExternalReference(target_url=media, available_range=_range(film, 0, film.n_frames))
        clip = otio.schema.Clip(name=f"{cue.id} {cue.title}".strip(), media_reference=reference,
                                source_range=_range(film, cue.start_frame, cue.n_frames))  # fmt: skip
        clip.metadata["cuecraft"] = {"cue": cue.id, "take": cue.chosen_take().id, "style": cue.settings.style}
        for i, frame in enumerate(cue.hit_points, 1):
            clip.markers.append(otio.schema.Marker(name=f"{cue.id} hit {i}", marked_range=_range(film, frame, 0),
                                                   color=otio.schema.MarkerColor.RED))  # fmt: skip
        track.append(clip)
        position = cue.end_frame
    return track


def score_timeline(project: Project, film_url: str, stems: dict[str, str], mix: str) -> otio.schema.Timeline:
    """Picture on V1, the score mix and each stem on its own audio track."""
    film = project.film
    timeline = otio.schema.Timeline(name=f"{project.name} score")
    picture = otio.schema.Track(name="picture", kind=otio.schema.TrackKind.Video)
    reference = otio.schema.ExternalReference(target_url=film_url, available_range=_range(film, 0, film.n_frames))
    picture.append(otio.schema.Clip(name=project.name, media_reference=reference, source_range=_range(film, 0, film.n_frames)))
    timeline.tracks.append(picture)
    timeline.tracks.append(_audio_track(project, MIX_TRACK, mix))
    for stem, media in stems.items():
        timeline.tracks.append(_audio_track(project, stem, media))
    return timeline


def write_timeline(timeline: otio.schema.Timeline, target: Path) -> None:
    """Write an .otio file atomically."""
    with atomic_path(target) as tmp:
        otio.adapters.write_to_file(timeline, str(tmp), adapter_name="otio_json")


def music_edl(project: Project, reel: str = "SCORE") -> str:
    """A CMX 3600 music EDL: one audio event (channels A1+A2) per cue from the full-length score mix.

    Written here because the OTIO CMX 3600 adapter only writes video tracks; it reads this back.
    """
    film = project.film
    lines = [f"TITLE: {project.name} score", "FCM: NON-DROP FRAME", ""]
    events = [c for c in project.cues if c.music and c.chosen_take() is not None]
    for number, cue in enumerate(events, 1):
        tc_in, tc_out = film.timecode(cue.start_frame), film.timecode(cue.end_frame)
        lines.append(f"{number:03d}  {reel[:8]:<8} AA    C        {tc_in} {tc_out} {tc_in} {tc_out}")
        lines.append(f"* FROM CLIP NAME:  {cue.id} {cue.title}".rstrip())
    return "\n".join(lines) + "\n"
