"""Shot-boundary detection with PySceneDetect's content detector (HSV + luma change between frames)."""

from __future__ import annotations

from pathlib import Path

from scenedetect import ContentDetector, SceneManager, open_video

from cuecraft.project import FilmInfo

DEFAULT_THRESHOLD = 27.0


def detect_shot_starts(film: FilmInfo, threshold: float = DEFAULT_THRESHOLD, min_shot_frames: int = 12) -> list[int]:
    """Return the first frame of every shot, starting with 0, in ascending order."""
    video = open_video(str(Path(film.path)), backend="pyav")
    manager = SceneManager()
    manager.add_detector(ContentDetector(threshold=threshold, min_scene_len=min_shot_frames))
    manager.detect_scenes(video, show_progress=False)
    starts = {start.frame_num for start, _ in manager.get_scene_list()}
    return sorted(starts | {0})
