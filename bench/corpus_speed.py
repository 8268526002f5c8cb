"""Corpus analysis speed: MIDI files per second and seconds per audio minute, 1 process vs 2 workers."""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

import soundfile

from cuecraft.corpus.catalog import Catalog
from cuecraft.corpus.files import MIDI_SUFFIXES, find_files
from cuecraft.corpus.ingest import ingest
from cuecraft.corpus.symbolic import load_midi
from cuecraft.render.soundfont import find_soundfont
from cuecraft.render.synth import Renderer


def timed_ingest(files: list[Path], workers: int) -> float:
    with tempfile.TemporaryDirectory() as tmp, Catalog(Path(tmp) / "c.db") as catalog:
        started = time.perf_counter()
        report = ingest(files, catalog, workers=workers)
        assert report.added + len(report.failed) > 0
        return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("data", nargs="?", type=Path, default=Path("../shared/data/vgmusic/midi"))
    parser.add_argument("--midi-files", type=int, default=200)
    parser.add_argument("--audio-files", type=int, default=8)
    args = parser.parse_args()
    midi_files = find_files([args.data], MIDI_SUFFIXES)[: args.midi_files]
    with tempfile.TemporaryDirectory() as tmp:
        renderer = Renderer(find_soundfont(), 44100)
        audio_files = []
        for i, path in enumerate(midi_files[: args.audio_files]):
            target = Path(tmp) / f"{i}.wav"
            soundfile.write(target, renderer.render(load_midi(path), 44100 * 60).T, 44100)
            audio_files.append(target)
            timed_ingest(audio_files[:1], 1)  # warm librosa's numba JIT so neither run pays for compiling
        print(f"{os.cpu_count()} cores; {len(midi_files)} MIDI files from {args.data}; {len(audio_files)} one-minute WAVs")
        print(f"{'workers':<10}{'MIDI files/s':>14}{'s per audio minute':>20}")
        for workers in (1, 2):
            midi_rate = len(midi_files) / timed_ingest(midi_files, workers)
            copies = Path(tmp) / f"w{workers}"
            copies.mkdir()
            for f in audio_files:  # fresh names and content hashes are identical: copy into a new catalog
                shutil.copy(f, copies / f.name)
            audio_s = timed_ingest(sorted(copies.iterdir()), workers) / len(audio_files)
            print(f"{workers:<10}{midi_rate:>14.1f}{audio_s:>20.2f}")


if __name__ == "__main__":
    main()
