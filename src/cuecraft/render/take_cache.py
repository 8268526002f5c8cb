"""A cache of finished takes (MIDI + float WAV), keyed by everything that determines them, so an
interrupted or repeated scoring run never composes or renders the same cue twice."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import numpy as np
import pretty_midi
import soundfile

from cuecraft.atomic import atomic_path, write_text_atomic

CACHE_DIR = ".takes-cache"


def take_key(**facts: object) -> str:
    """A stable hash of JSON-able facts (model fingerprint, settings, length, theme, …)."""
    return hashlib.sha1(json.dumps(facts, sort_keys=True, default=str).encode()).hexdigest()


class TakeCache:
    """Files `<key>.mid`, `<key>.json` (what was said of the take) and `<key>.wav` in one folder, each
    written atomically."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def load(self, key: str) -> tuple[Path, np.ndarray, str] | None:
        """The cached MIDI path, audio (2 x n float32) and notes (JSON text), or None if this take was never finished."""
        midi, wav, notes = self.folder / f"{key}.mid", self.folder / f"{key}.wav", self.folder / f"{key}.json"
        if not (midi.is_file() and wav.is_file() and notes.is_file()):
            return None
        audio, _ = soundfile.read(wav, dtype="float32", always_2d=True)
        return midi, np.ascontiguousarray(audio.T), notes.read_text()  # laid out as a fresh render is: sums over it round alike

    def store(self, key: str, midi: pretty_midi.PrettyMIDI, audio: np.ndarray, sample_rate: int, notes: str) -> Path:
        """Save a finished take and what was said of it (JSON text); the WAV last: its presence marks the take complete."""
        self.folder.mkdir(parents=True, exist_ok=True)
        with atomic_path(self.folder / f"{key}.mid") as tmp:
            midi.write(str(tmp))
        write_text_atomic(self.folder / f"{key}.json", notes)
        with atomic_path(self.folder / f"{key}.wav") as tmp:
            soundfile.write(tmp, audio.T, sample_rate, subtype="FLOAT")
        return self.folder / f"{key}.mid"


def copy_file(source: Path, target: Path) -> None:
    with atomic_path(target) as tmp:
        shutil.copyfile(source, tmp)
