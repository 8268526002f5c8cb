"""Does the transformer give the line, the harmony and the bass to the instrument families real
soundtracks give them to?

For every 4/4 piece of the VGMusic games held out of training (split by game) with at least two
pitched families, 16 bars (from bar 5) are split into layers (compose.orchestration.split_layers: the
top of each chord is melody, the bottom bass); the transformer is asked for 16 bars with that piece's
families, key and tempo, and its notes are split the same way. Per piece, compared by median:
- families heard per bar, and the share of notes on the commonest family;
- the share of the bass layer on the bass family (pieces with a bass family);
- the share of the melody layer on its commonest family, and how often that family is a lead family
  (synth lead, brass, reed, pipe) rather than an accompanying one;
- the share of notes of families the piece has but the model wrote nothing for.

  python bench/instrumentation.py --data ../shared/data [--pieces 40]
"""

from __future__ import annotations

import argparse
import json
from collections import Counter
from pathlib import Path

import numpy as np

from cuecraft.compose.orchestration import split_layers
from cuecraft.corpus.features import gm_family
from cuecraft.model.checkpoint import load_model
from cuecraft.model.composer import GenerationRequest
from cuecraft.model.events import Note
from cuecraft.model.paths import SHIPPED_TRANSFORMER
from cuecraft.model.sampling import TransformerComposer
from cuecraft.model.training_set import is_held_out_game, load_corpora
from music_quality import BARS, excerpt  # the music bench's 16-bar excerpts (bench/ is on the path when run as a script)

LEAD_FAMILIES = {"synth lead", "brass", "reed", "pipe"}
REPO = Path(__file__).resolve().parents[1]


def texture(notes: list[Note], families: tuple[str, ...]) -> dict[str, float]:
    """The measures of the docstring for one piece's notes."""
    family_of = [gm_family(n.program) for n in notes]
    counts = Counter(family_of)
    per_bar = Counter()
    for bar in range(BARS):
        per_bar[bar] = len({f for n, f in zip(notes, family_of) if bar * 4 <= n.onset < bar * 4 + 4})
    layers = split_layers(notes)
    melody = Counter(gm_family(n.program) for n in layers.melody)
    bass = [gm_family(n.program) for n in layers.bass]
    lead = melody.most_common(1)[0][0] if melody else ""
    out = {
        "families per bar": float(np.mean([per_bar[b] for b in range(BARS) if per_bar[b]] or [0])),
        "commonest family's share": counts.most_common(1)[0][1] / len(notes),
        "melody on its commonest family": (melody.most_common(1)[0][1] / len(layers.melody)) if melody else 0.0,
        "melody on a lead family": float(lead in LEAD_FAMILIES),
        "families asked for but silent": sum(f not in counts for f in families) / len(families),
    }
    if "bass" in families and bass:
        out["bass layer on the bass family"] = bass.count("bass") / len(bass)
    return out


def median_of(rows: list[dict], name: str) -> float:
    values = [r[name] for r in rows if name in r]
    return float(np.median(values)) if values else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=REPO.parent / "shared" / "data")
    parser.add_argument("--cache", type=Path, default=REPO / "models" / "transformer" / "corpora.pkl")
    parser.add_argument("--pieces", type=int, default=40)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "results" / "instrumentation.json")
    args = parser.parse_args()
    model, info = load_model(SHIPPED_TRANSFORMER)
    composer = TransformerComposer(model, info)
    real_rows, generated_rows = [], []
    held = [p for p in load_corpora(args.data, args.cache) if p.source == "vgmusic" and is_held_out_game(p.group)]
    for piece in held:
        families = tuple(sorted(f for f in piece.families if f != "drums"))
        notes = excerpt(piece)
        if len(families) < 2 or len(notes) < 32:
            continue
        seed = len(real_rows)
        request = GenerationRequest(piece.key, BARS * 4, seed=seed, tempo=piece.tempo, families=families,
                                    density=len(notes) / BARS)  # fmt: skip
        real_rows.append(texture(notes, families))
        generated_rows.append(texture(composer.generate(request), families))
        if len(real_rows) == args.pieces:
            break
    names = list(dict.fromkeys(k for r in real_rows for k in r))
    table = {name: {"real": median_of(real_rows, name), "generated": median_of(generated_rows, name),
                    "real mean": float(np.mean([r[name] for r in real_rows if name in r])),
                    "generated mean": float(np.mean([r[name] for r in generated_rows if name in r]))} for name in names}  # fmt: skip
    print(f"{len(real_rows)} held-out VGMusic pieces with two or more pitched families")
    print(f"{'measure':<36} {'real median':>12} {'generated':>10} {'real mean':>10} {'gen. mean':>10}")
    for name, row in table.items():
        print(f"{name:<36} {row['real']:>12.2f} {row['generated']:>10.2f} {row['real mean']:>10.2f} {row['generated mean']:>10.2f}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"pieces": len(real_rows), "table": table}, indent=2))


if __name__ == "__main__":
    main()
