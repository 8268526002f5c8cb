"""Train the transformer from a token pack (`cuecraft train --pack-out`) on any device: needs torch
and NumPy only, so it runs on a lent GPU machine where MidiTok and the corpora are not. The step
budget is sized to --minutes from a short timing of this device; the run resumes from OUT's state.

    python scripts/train_pack.py models/pack.npz --out models/gpu --device cuda --minutes 6
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from cuecraft.model.dataset import sample_batch  # noqa: E402
from cuecraft.model.token_pack import load_pack  # noqa: E402
from cuecraft.model.train import TrainConfig, train, train_step  # noqa: E402
from cuecraft.model.transformer import CueTransformer  # noqa: E402


def seconds_per_step(config: TrainConfig, pieces: list, vocabulary, device: str, steps: int = 30) -> float:  # noqa: ANN001
    """Wall time of one training step (batch drawn, forward, backward, update), as train() runs it, after a warm-up."""
    model = CueTransformer(config.transformer_config(len(vocabulary))).to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=1e-4)
    rng = np.random.default_rng(0)
    for i in range(steps + 5):
        if i == 5:
            if device.startswith("cuda"):
                torch.cuda.synchronize()
            started = time.perf_counter()
        train_step(model, optimizer, *sample_batch(pieces, vocabulary, config.context, config.batch_size, rng))
    if device.startswith("cuda"):
        torch.cuda.synchronize()
    return (time.perf_counter() - started) / steps


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("pack", type=Path)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--device", default="cuda" if torch.cuda.is_available() else "cpu")
    parser.add_argument("--minutes", type=float, required=True, help="training time budget (the timing run excluded)")
    parser.add_argument("--config", default="{}", help="TrainConfig fields as JSON, e.g. '{\"context\": 512}'")
    args = parser.parse_args()
    torch.backends.cuda.matmul.allow_tf32 = True
    pieces, vocabulary = load_pack(args.pack)
    state = args.out / "training-state.pt"
    if state.is_file():  # resuming: the run's own config, with this call's time budget
        saved = torch.load(state, map_location="cpu", weights_only=True)["config"]
        config = TrainConfig(**{**saved, "max_minutes": args.minutes})
    else:  # a fresh run: the cosine schedule sized to the budget on this device (a tenth kept for validation and checkpoints)
        config = replace(TrainConfig(), max_minutes=args.minutes, **json.loads(args.config))
        per_step = seconds_per_step(config, pieces, vocabulary, args.device)
        config = replace(config, max_steps=int(0.9 * args.minutes * 60 / per_step))
        print(f"{per_step * 1000:.1f} ms per step on {args.device}: {config.max_steps} steps", flush=True)
    started = time.perf_counter()

    def on_eval(step: int, train_loss: float, validation: float) -> None:
        print(f"step {step} ({time.perf_counter() - started:.0f} s): train {train_loss:.3f}, validation {validation:.3f}", flush=True)

    result = train(config, pieces, args.out, on_eval=on_eval, vocabulary=vocabulary, device=args.device)
    print(json.dumps(result.__dict__), flush=True)


if __name__ == "__main__":
    main()
