"""Do the drum kits play like soundtrack drummers? Kit parts against the drum parts of the VGMusic
games held out of the groove model's training (split by game).

The kit parts are what `orchestrate` gives the two kit ensembles (electronic, action-percussion) for
8-bar cues at intensities 0.2-0.95, tempi 90-160 and 6 seeds, where the kit plays at all (the drum
machine enters at 0.25); with --old-commit also those of an older commit, run with its own code. Each 8-bar excerpt (the real parts': their first eight bars with drums)
is measured bar by bar, on the sixteenth grid, with GM keys folded into corpus.drums' classes:
strokes per bar, the share of snare strokes on the backbeat (beats 2 and 4), the share of strokes off
the eighth-note grid (sixteenth syncopation), the share of bars that repeat the bar before, distinct
bars per excerpt, and kit classes per bar. Each measure: median and 10th-90th percentile, and the
overlapping area of the generated and real distributions (1 = alike).

  python bench/groove_quality.py [--data ../shared/data] [--old-commit 9d57188]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from cuecraft.model.metrics import overlapping_area

REPO = Path(__file__).resolve().parents[1]
BARS = 8
INTENSITIES = (0.2, 0.45, 0.7, 0.95)
TEMPI = (90.0, 120.0, 160.0)
SEEDS = 6
KITS = ("electronic", "action-percussion")
Bar = list[tuple[int, int]]  # (sixteenth step, drum class) strokes


def measures(bars: list[Bar]) -> dict[str, float]:
    """The excerpt's groove measures (see the module's note)."""
    from cuecraft.corpus.drums import DRUM_CLASSES

    snare = list(DRUM_CLASSES).index("snare")
    strokes = [len(b) for b in bars]
    snares = [s for b in bars for s, c in b if c == snare]
    sets = [frozenset(b) for b in bars]
    return {
        "strokes per bar": float(np.mean(strokes)),
        "snare on the backbeat": float(np.mean([s in (4, 12) for s in snares])) if snares else float("nan"),
        "strokes off the eighths": float(np.mean([s % 2 == 1 for b in bars for s, _ in b])) if any(strokes) else 0.0,
        "bars repeating the bar before": float(np.mean([a == b for a, b in zip(sets, sets[1:])])),
        "distinct bars": float(len(set(sets))),
        "kit classes per bar": float(np.mean([len({c for _, c in b}) for b in bars])),
    }


def real_excerpts(data: Path) -> list[list[Bar]]:
    """The first BARS bars of each held-out game's 4/4 drum parts."""
    from cuecraft.model.training_set import drum_parts

    excerpts = []
    for part in drum_parts(data, held_out=True):
        if part.steps == 16 and len(part.bars) >= BARS:
            excerpts.append([[(s, c) for c, mask in enumerate(bar) for s in range(16) if mask >> s & 1] for bar in part.bars[:BARS]])
    return excerpts


def kit_parts() -> list[list[tuple[float, int]]]:
    """The (onset, GM key) drum notes of the kit parts the orchestrate on the import path writes (this
    checkout's, or an older commit's in old_kit_parts)."""
    from cuecraft.compose.orchestration import orchestrate
    from cuecraft.compose.styles import ENSEMBLES
    from cuecraft.model.events import Note

    material = [Note(beat, 1, 60, 80) for beat in range(4 * BARS)]
    excerpts = []
    for kit in KITS:
        for intensity in INTENSITIES:
            for tempo in TEMPI:
                for seed in range(SEEDS):
                    try:
                        parts = orchestrate(material, ENSEMBLES[kit], intensity, bars=BARS, beats_per_bar=4, final_beat=4 * BARS,
                                            velocity=90, tempo=tempo, seed=seed)  # fmt: skip
                    except TypeError:  # an older orchestrate: no tempo or seed
                        parts = orchestrate(material, ENSEMBLES[kit], intensity, bars=BARS, beats_per_bar=4, final_beat=4 * BARS, velocity=90)
                    excerpts.append([(n.onset, n.pitch) for p in parts if p.part.is_drum for n in p.notes if n.onset < 4 * BARS])
    return excerpts


def as_bars(notes: list[tuple[float, int]]) -> list[Bar]:
    """Drum notes as BARS bars of (sixteenth step, kit class) strokes; keys outside the kit classes left out."""
    from cuecraft.corpus.drums import CLASS_OF

    return [[(round(onset * 4) % 16, CLASS_OF[key]) for onset, key in notes if int(onset // 4) == bar and key in CLASS_OF]
            for bar in range(BARS)]  # fmt: skip


def old_kit_parts(commit: str) -> list[list[tuple[float, int]]]:
    """kit_parts run with an older commit's code (its orchestrate and its drum patterns)."""
    with tempfile.TemporaryDirectory() as work:
        old = Path(work) / "old"
        subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(old), commit], check=True, capture_output=True)
        try:
            env = dict(os.environ, PYTHONPATH=f"{old / 'src'}{os.pathsep}{REPO / 'src'}")
            script = f"import sys, json; sys.path.insert(0, {str(REPO / 'bench')!r}); import groove_quality as g; print(json.dumps(g.kit_parts()))"
            out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout
        finally:
            subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(old)], check=False)
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--old-commit", help="also measure the kit parts of this commit, with its own code")
    args = parser.parse_args()
    systems = {"real (held-out games)": real_excerpts(args.data), "learned grooves (this)": [as_bars(p) for p in kit_parts() if p]}
    if args.old_commit:
        systems[f"kit parts ({args.old_commit})"] = [as_bars(p) for p in old_kit_parts(args.old_commit) if p]
    rows = {name: [measures(bars) for bars in excerpts] for name, excerpts in systems.items()}
    real = rows["real (held-out games)"]
    print(f"excerpts of {BARS} bars: " + ", ".join(f"{name} {len(r)}" for name, r in rows.items()))
    for measure in real[0]:
        print(f"\n{measure}")
        reference = [r[measure] for r in real if not np.isnan(r[measure])]
        for name, table in rows.items():
            values = [r[measure] for r in table if not np.isnan(r[measure])]
            if not values:
                print(f"  {name:<32} (none)")
                continue
            p10, p50, p90 = np.percentile(values, [10, 50, 90])
            overlap = "" if table is real else f"  overlap with real {overlapping_area(reference, values):.2f}"
            print(f"  {name:<32} median {p50:6.2f}  (p10-p90 {p10:.2f}-{p90:.2f}){overlap}")


if __name__ == "__main__":
    main()
