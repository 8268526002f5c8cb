"""Does the rhythm section play like soundtrack musicians? Drum kits, bass lines, accompaniments and
timpani against those of the VGMusic games held out of the groove model's training (split by game).

Short scores: 8-bar pieces by the shipped transformer (`cuecraft generate`'s path, solo piano) in
four moods and three keys. Each is orchestrated for the two drum-kit ensembles (electronic,
action-percussion) and the orchestra (its timpani) at intensities 0.2-0.95, tempi 90-160 and two seeds, by this checkout and, with
--old-commit, by an older commit's orchestrate (its own code, the same short scores). Every cue and
every real file is read the same way, by corpus.drums and corpus.figures, and its first eight bars
measured (where it has drums, a bass line, an accompaniment, timpani):
- drums: strokes per bar, the share of snare strokes on the backbeat (beats 2 and 4), the share of
  strokes off the eighth-note grid, bars repeating the bar before, distinct bars, kit classes per bar;
- bass and timpani: notes per bar, the share on the chord's root, octave leaps between notes, notes
  off the eighths, bars repeating the bar before, distinct bars;
- accompaniment: notes per bar, notes struck together, the share on the chord's triad, notes off the
  eighths, bars repeating the bar before, distinct bars.
Each measure: median, 10th-90th percentile, and the overlapping area of the generated and the real
distributions (1 = alike).

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
import pretty_midi

REPO = Path(__file__).resolve().parents[1]
BARS = 8
INTENSITIES = (0.2, 0.45, 0.7, 0.95)
TEMPI = (90.0, 120.0, 160.0)
SEEDS = 2
ENSEMBLES = ("electronic", "action-percussion", "orchestral")
MOODS = ((0.7, 0.7), (0.7, -0.6), (-0.7, 0.7), (-0.7, -0.6))
KEYS = ("C major", "A minor", "E minor")


# This module is also imported by an older commit's code (run_cues): cuecraft is imported inside the
# functions, and only where that code has it.


def drum_measures(bars: list) -> dict[str, float]:
    from cuecraft.corpus.drums import DRUM_CLASSES

    snare = list(DRUM_CLASSES).index("snare")
    strokes = [[(s, c) for c, mask in enumerate(bar) for s in range(16) if mask >> s & 1] for bar in bars]
    snares = [s for bar in strokes for s, c in bar if c == snare]
    return {
        "strokes per bar": float(np.mean([len(b) for b in strokes])),
        "snare on the backbeat": float(np.mean([s in (4, 12) for s in snares])) if snares else float("nan"),
        "strokes off the eighths": float(np.mean([s % 2 for b in strokes for s, _ in b])) if any(strokes) else 0.0,
        **_repetition(bars),
        "kit classes per bar": float(np.mean([len({c for _, c in b}) for b in strokes])),
    }


def bass_measures(bars: list) -> dict[str, float]:
    notes = [n for bar in bars for n in bar]
    heights = [h for _, _, h in notes]
    return {
        "notes per bar": float(len(notes) / len(bars)),
        "notes on the chord's root": float(np.mean([h % 12 == 0 for h in heights])) if notes else float("nan"),
        "octave leaps": float(np.mean([abs(b - a) == 12 for a, b in zip(heights, heights[1:])])) if len(notes) > 1 else float("nan"),
        "notes off the eighths": float(np.mean([s % 2 for s, _, _ in notes])) if notes else float("nan"),
        **_repetition(bars),
    }


def accompaniment_measures(bars: list) -> dict[str, float]:
    notes = [n for bar in bars for n in bar]
    onsets = {(i, s) for i, bar in enumerate(bars) for s, _, _ in bar}
    return {
        "notes per bar": float(len(notes) / len(bars)),
        "notes struck together": float(len(notes) / len(onsets)) if onsets else float("nan"),
        "notes on the chord's triad": float(np.mean([h % 12 in (0, 3, 4, 7) for _, _, h in notes])) if notes else float("nan"),
        "notes off the eighths": float(np.mean([s % 2 for s, _, _ in notes])) if notes else float("nan"),
        **_repetition(bars),
    }


def _repetition(bars: list) -> dict[str, float]:
    return {"bars repeating the bar before": float(np.mean([a == b for a, b in zip(bars, bars[1:])])),
            "distinct bars": float(len(set(bars)))}  # fmt: skip


def excerpts(midi: pretty_midi.PrettyMIDI) -> list[list | None]:
    """The first BARS bars of a file's drum part, bass line, accompaniment and timpani, where it has them in 4/4."""
    from cuecraft.corpus.drums import drum_part
    from cuecraft.corpus.figures import accompaniment_part, bass_part, file_chords, timpani_part

    chords = file_chords(midi)
    parts = (drum_part(midi), bass_part(midi, chords), accompaniment_part(midi, chords), timpani_part(midi, chords))
    return [p.bars[:BARS] if p and p.steps == 16 and len(p.bars) >= BARS else None for p in parts]


def real_files(data: Path) -> list[pretty_midi.PrettyMIDI]:
    """The held-out games' files (read as the training reads them)."""
    from cuecraft.model.training_set import vgmusic_midis

    return list(vgmusic_midis(data, held_out=True))


def short_scores() -> list[dict]:
    """8-bar short scores by the shipped transformer: their key and [onset, duration, pitch, velocity] rows."""
    from cuecraft.compose.cue_plan import piece_brief
    from cuecraft.compose.cue_writer import write_piece
    from cuecraft.model.events import midi_notes
    from cuecraft.model.loading import load_composer

    composer = load_composer("transformer", None, REPO / "models" / "baseline.npz")
    scores = []
    for i, (valence, arousal) in enumerate(MOODS):
        for j, key in enumerate(KEYS):
            settings, mood = piece_brief(key, 120.0, valence, arousal, "piano", 3 * i + j)
            notes = midi_notes(write_piece(composer, settings, BARS, mood))
            scores.append({"key": key, "notes": [[n.onset, n.duration, n.pitch, n.velocity] for n in notes]})
    return scores


def cues(scores_file: str) -> list[list]:
    """Each short score orchestrated for ENSEMBLES (the orchestrate on the import path: this checkout's,
    or an older commit's in old_cues), as parts of [program, is_drum, [[onset, duration, pitch, velocity]]]."""
    from cuecraft.compose import styles
    from cuecraft.compose.orchestration import orchestrate
    from cuecraft.model.events import Note
    from cuecraft.theory import Key

    scores = [(Key.parse(score["key"]), [Note(*row) for row in score["notes"]]) for score in json.loads(Path(scores_file).read_text())]
    out = []
    for index, (key, notes) in enumerate(scores):
        for ensemble in ENSEMBLES:
            for intensity in INTENSITIES:
                for tempo in TEMPI:
                    for seed in range(SEEDS):
                        kwargs = dict(bars=BARS, beats_per_bar=4, final_beat=4 * BARS, velocity=90)
                        for extra in ({"tempo": tempo, "seed": 1000 * index + seed, "key": key},
                                      {"tempo": tempo, "seed": 1000 * index + seed}, {}):  # older orchestrates take fewer
                            try:
                                parts = orchestrate(notes, styles.ENSEMBLES[ensemble], intensity, **extra, **kwargs)
                                break
                            except TypeError:
                                continue
                        out.append([[p.part.program, p.part.is_drum, [[n.onset, n.duration, n.pitch, n.velocity] for n in p.notes]]
                                    for p in parts])  # fmt: skip
    return out


def as_midi(parts: list) -> pretty_midi.PrettyMIDI:
    """A cue's parts as a file at 120 bpm (one beat = half a second)."""
    midi = pretty_midi.PrettyMIDI(initial_tempo=120.0)
    for program, is_drum, notes in parts:
        instrument = pretty_midi.Instrument(int(program), is_drum=bool(is_drum))
        instrument.notes = [pretty_midi.Note(int(v), int(p), o / 2, (o + d) / 2) for o, d, p, v in notes]
        midi.instruments.append(instrument)
    return midi


def run_cues(scores_file: str, src: Path) -> list[list]:
    env = dict(os.environ, PYTHONPATH=f"{src}{os.pathsep}{REPO / 'src'}")
    script = f"import sys, json; sys.path.insert(0, {str(REPO / 'bench')!r}); import groove_quality as g; print(json.dumps(g.cues({scores_file!r})))"
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    from cuecraft.model.metrics import overlapping_area

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--old-commit", help="also measure the rhythm sections of this commit, with its own code")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        scores_file = str(Path(work) / "scores.json")
        Path(scores_file).write_text(json.dumps(short_scores()))
        systems = {"real (held-out games)": real_files(args.data), "this checkout": [as_midi(c) for c in run_cues(scores_file, REPO / "src")]}
        if args.old_commit:
            old = Path(work) / "old"
            subprocess.run(["git", "-C", str(REPO), "worktree", "add", "--detach", str(old), args.old_commit], check=True, capture_output=True)
            try:
                systems[args.old_commit] = [as_midi(c) for c in run_cues(scores_file, old / "src")]
            finally:
                subprocess.run(["git", "-C", str(REPO), "worktree", "remove", "--force", str(old)], check=False)
    read = {name: [excerpts(m) for m in files] for name, files in systems.items()}
    sections = (("drums", drum_measures), ("bass", bass_measures), ("accompaniment", accompaniment_measures), ("timpani", bass_measures))
    for index, (title, measure) in enumerate(sections):
        rows = {name: [measure(e[index]) for e in found if e[index] is not None] for name, found in read.items()}
        real = rows["real (held-out games)"]
        if not real:
            print(f"\n# {title}: no real excerpts")
            continue
        print(f"\n# {title}: excerpts of {BARS} bars: " + ", ".join(f"{name} {len(r)}" for name, r in rows.items()))
        for name_of_measure in real[0]:
            print(f"{name_of_measure}")
            reference = [r[name_of_measure] for r in real if not np.isnan(r[name_of_measure])]
            for name, table in rows.items():
                values = [r[name_of_measure] for r in table if not np.isnan(r[name_of_measure])]
                if not values:
                    print(f"  {name:<24} (none)")
                    continue
                p10, p50, p90 = np.percentile(values, [10, 50, 90])
                overlap = "" if table is real else f"  overlap with real {overlapping_area(reference, values):.2f}"
                print(f"  {name:<24} median {p50:6.2f}  (p10-p90 {p10:.2f}-{p90:.2f}){overlap}")


if __name__ == "__main__":
    main()
