"""Seconds per minute of film for `cuecraft score`, split by stage. Run: make bench (or python bench/score_speed.py FILM)."""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

from cuecraft.config import ScoreConfig
from cuecraft.film.testfilm import make_test_film
from cuecraft.scoring import score_film


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("film", nargs="?", type=Path, default=Path("examples/film.mp4"))
    parser.add_argument("--model", choices=["transformer", "baseline"], default="transformer")
    parser.add_argument("--model-path", type=Path, default=None)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()
    if not args.film.exists():
        make_test_film(args.film)
    with tempfile.TemporaryDirectory() as tmp:
        started = time.perf_counter()
        result = score_film(args.film, Path(tmp) / "out", ScoreConfig(model=args.model, model_path=args.model_path))
        total = time.perf_counter() - started
    minutes = result.project.film.duration_s / 60
    print(f"film {args.film} ({result.project.film.duration_s:.1f} s, {len(result.project.cues)} cues), model {args.model}, "
          f"{os.cpu_count()} cores")
    print(f"{'stage':<20}{'seconds':>10}{'s per film minute':>20}")
    for stage, seconds in result.stage_seconds.items():
        print(f"{stage:<20}{seconds:>10.2f}{seconds / minutes:>20.2f}")
    print(f"{'total':<20}{total:>10.2f}{total / minutes:>20.2f}")
    if args.json:
        figures = {"film_seconds": result.project.film.duration_s, "cores": os.cpu_count(), "total_s": total,
                   "stages_s": result.stage_seconds, "seconds_per_film_minute": total / minutes}
        args.json.write_text(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
