"""Feature length: wall time, CPU time and peak memory per stage of `score` on long synthetic films
(made at a small picture size: memory and time should grow with running time, not pixels), and the
ratio to real time. Prints a markdown table.

Run: python bench/feature_film.py [--minutes 5 20 90] [--model baseline --model-path models/baseline.npz]
"""

from __future__ import annotations

import argparse
import multiprocessing
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import psutil

from cuecraft.config import ScoreConfig
from cuecraft.film.testfilm import ShotSpec, make_test_film
from cuecraft.scoring import score_film

LOOKS = ((25, 35, 90), (200, 140, 90), (125, 125, 130), (45, 140, 60), (220, 60, 30), (235, 190, 120), (120, 120, 125))


def feature_shots(minutes: float, fps: int = 24) -> tuple[ShotSpec, ...]:
    """Scenes of about a minute, each of shots 4-12 s long in one look, the looks taking turns."""
    shots, frames, k = [], 0, 0
    while frames < minutes * 60 * fps:
        look = LOOKS[(k // 8) % len(LOOKS)]
        length = fps * (4 + (k * 37) % 9)
        gain = (1.0, 1.15, 0.9, 1.08)[k % 4]
        shots.append(ShotSpec(length, tuple(min(255, round(c * gain)) for c in look), 0.2 + 0.3 * ((k // 8) % 4), bool(k % 2)))  # type: ignore[arg-type]
        frames += length
        k += 1
    return tuple(shots)


class StageMeter:
    """A progress reporter that times each stage (wall and CPU) and samples the process's resident
    memory (with its children's) every 50 ms, keeping each stage's peak."""

    def __init__(self) -> None:
        self.process = psutil.Process()
        self.rows: dict[str, list[float]] = {}
        self.stage: str | None = None
        self.since = (time.perf_counter(), time.process_time())
        self.running = True
        self.sampler = threading.Thread(target=self._sample, daemon=True)
        self.sampler.start()

    def _rss(self) -> float:
        total = self.process.memory_info().rss
        for child in self.process.children(recursive=True):
            try:
                total += child.memory_info().rss
            except psutil.Error:
                pass
        return total / 2**30

    def _sample(self) -> None:
        while self.running:
            row = self.rows.get(self.stage) if self.stage is not None else None
            if row is not None:
                row[2] = max(row[2], self._rss())
            time.sleep(0.05)

    def _close_stage(self) -> None:
        if self.stage is not None:
            wall, cpu = self.since
            row = self.rows[self.stage]
            row[0] += time.perf_counter() - wall
            row[1] += time.process_time() - cpu

    def start(self, stage: str, total: int | None = None) -> None:
        self._close_stage()
        self.rows.setdefault(stage, [0.0, 0.0, self._rss()])
        self.since = (time.perf_counter(), time.process_time())
        self.stage = stage

    def advance(self, amount: int = 1) -> None:
        pass

    def close(self) -> None:
        self._close_stage()
        self.stage = None
        self.running = False


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--minutes", type=float, nargs="+", default=[5, 20, 90])
    parser.add_argument("--model", default="transformer")
    parser.add_argument("--model-path", type=Path, default=None)
    parser.add_argument("--size", type=int, nargs=2, default=[160, 90])
    parser.add_argument("--workers", type=int, default=0, help="processes composing and rendering cues (0: as score chooses; CPU time counts this process only, memory its children too)")
    parser.add_argument("--one", action="store_true", help=argparse.SUPPRESS)  # score one film in this process
    args = parser.parse_args()
    if not args.one:  # each film in a fresh process: one film's memory must not count towards the next
        print("| film | stage | wall s | CPU s | peak GB |\n|---|---|---|---|---|", flush=True)
        for minutes in args.minutes:
            subprocess.run([sys.executable, __file__, "--one", "--minutes", str(minutes), "--model", args.model, "--workers", str(args.workers), "--size",
                            *map(str, args.size), *(["--model-path", str(args.model_path)] if args.model_path else [])], check=True)  # fmt: skip
        return
    for minutes in args.minutes:
        folder = Path(tempfile.mkdtemp(prefix="feature_"))
        try:
            film = folder / f"feature_{minutes:g}min.mp4"
            made = time.perf_counter()
            with multiprocessing.get_context("spawn").Pool(1) as pool:  # made apart: its memory is not the scorer's
                pool.apply(make_test_film, (film, feature_shots(minutes)), {"size": tuple(args.size)})
            made = time.perf_counter() - made
            meter = StageMeter()
            started = time.perf_counter()
            score_film(film, folder / "out", ScoreConfig(model=args.model, model_path=args.model_path, workers=args.workers), meter)
            wall = time.perf_counter() - started
            meter.close()
            for stage, (seconds, cpu, peak) in meter.rows.items():
                print(f"| {minutes:g} min | {stage} | {seconds:.1f} | {cpu:.1f} | {peak:.2f} |")
            peak = max(row[2] for row in meter.rows.values())
            print(f"| **{minutes:g} min** | **all** ({minutes * 60 / wall:.1f}x real time; film made in {made:.0f} s) | **{wall:.1f}** | "
                  f"**{sum(r[1] for r in meter.rows.values()):.1f}** | **{peak:.2f}** |", flush=True)  # fmt: skip
        finally:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
