"""Training the transformer on tokenized pieces: AdamW with warm-up and cosine decay, periodic
validation, early stopping, resumable checkpoints, the best weights kept, a loss curve drawn. A run
may start from an earlier checkpoint whose vocabulary is a prefix of this one (new tokens learn
from scratch, the rest carries over)."""

from __future__ import annotations

import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from cuecraft.atomic import atomic_path, write_text_atomic
from cuecraft.errors import CuecraftError
from cuecraft.model.checkpoint import FORMAT, save_model
from cuecraft.model.dataset import IGNORE, TokenizedPiece, sample_batch, split_by_piece, validation_windows
from cuecraft.model.transformer import CueTransformer, TransformerConfig
from cuecraft.model.vocabulary import Vocabulary

MODEL_FILE, STATE_FILE, CURVE_FILE, HISTORY_FILE = "model.pt", "training-state.pt", "loss.png", "history.json"


@dataclass
class TrainConfig:
    """Architecture and optimisation; `tiny()` trains in seconds for tests."""

    sources: list[str] = field(default_factory=lambda: ["pop909", "vgmidi", "vgmusic"])
    init_from: str | None = None  # a checkpoint to start from
    d_model: int = 192  # the shipped model's shape: a GPU run found 4 x 192 as good as 4 x 256 (MODEL_CARD.md)
    n_layers: int = 4
    n_heads: int = 4
    d_ff: int = 768
    context: int = 640  # the shipped model's; a GPU run (Makefile model-gpu) also sets batch, rate and schedule
    dropout: float = 0.1
    batch_size: int = 16
    learning_rate: float = 6e-4
    warmup_steps: int = 100
    max_steps: int = 3000
    max_minutes: float = 50.0
    eval_every: int = 100
    patience: int = 6  # evaluations without improvement before stopping
    validation_fraction: float = 0.1
    seed: int = 0

    def transformer_config(self, vocab_size: int) -> TransformerConfig:
        """The shape of the model this run trains, for a vocabulary of `vocab_size`."""
        return TransformerConfig(vocab_size, self.context, self.d_model, self.n_layers, self.n_heads, self.d_ff, self.dropout)

    @classmethod
    def tiny(cls, **overrides: object) -> TrainConfig:
        base = dict(d_model=48, n_layers=2, n_heads=2, d_ff=96, context=96, batch_size=8, max_steps=60,
                    eval_every=20, warmup_steps=5, learning_rate=3e-3, dropout=0.0, max_minutes=5.0)  # fmt: skip
        return cls(**{**base, **overrides})


@dataclass
class TrainResult:
    steps: int
    best_validation_loss: float
    stopped_because: str
    seconds: float
    train_pieces: int
    validation_pieces: int
    parameters: int


def _learning_rate(config: TrainConfig, step: int) -> float:
    if step < config.warmup_steps:
        return config.learning_rate * (step + 1) / config.warmup_steps
    progress = min(1.0, (step - config.warmup_steps) / max(1, config.max_steps - config.warmup_steps))
    return config.learning_rate * (0.1 + 0.9 * 0.5 * (1 + math.cos(math.pi * progress)))


def batch_loss(model: CueTransformer, inputs: np.ndarray, targets: np.ndarray) -> torch.Tensor:
    """Cross-entropy of the batch on the model's device; on a GPU the products run in bfloat16."""
    device = next(model.parameters()).device
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
        logits, _ = model(torch.from_numpy(inputs).to(device, non_blocking=True))
    targets_on = torch.from_numpy(targets).to(device, non_blocking=True).reshape(-1)
    return F.cross_entropy(logits.float().reshape(-1, logits.shape[-1]), targets_on, ignore_index=IGNORE)


def train_step(model: CueTransformer, optimizer: torch.optim.Optimizer, inputs: np.ndarray, targets: np.ndarray) -> torch.Tensor:
    """One optimisation step (gradients clipped to norm 1); the loss stays on the device, so a GPU
    need not wait for it while the next batch is drawn."""
    loss = batch_loss(model, inputs, targets)
    optimizer.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    optimizer.step()
    return loss.detach()


@torch.no_grad()
def _validate(model: CueTransformer, inputs: np.ndarray, targets: np.ndarray, batch: int) -> float:
    model.eval()
    total, count = 0.0, 0
    for i in range(0, len(inputs), batch):
        n = int((targets[i : i + batch] != IGNORE).sum())
        total += float(batch_loss(model, inputs[i : i + batch], targets[i : i + batch])) * n
        count += n
    model.train()
    return total / max(1, count)


def train(config: TrainConfig, pieces: list[TokenizedPiece], out: Path, resume: bool = True,
          on_eval: Callable[[int, float, float], None] | None = None, vocabulary: Vocabulary | None = None,
          device: str = "cpu") -> TrainResult:  # fmt: skip
    """Train on `pieces` into folder `out` (model.pt = best weights; training-state.pt lets a later call
    resume, on any device). `vocabulary` defaults to the CueTokenizer's (a token pack brings its own)."""
    started = time.perf_counter()
    torch.manual_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    if vocabulary is None:
        from cuecraft.model.tokenizer import CueTokenizer

        vocabulary = CueTokenizer()
    if len(pieces) < 2:
        raise CuecraftError(out, f"only {len(pieces)} usable 4/4 pieces from sources {config.sources}; more are needed")
    train_set, val_set = split_by_piece(pieces, config.validation_fraction, config.seed)
    val_inputs, val_targets = validation_windows(val_set, vocabulary, config.context)
    model = CueTransformer(config.transformer_config(len(vocabulary)))
    if config.init_from:
        warm_start(model, Path(config.init_from))
    model.to(device)
    optimizer = torch.optim.AdamW(model.parameters(), lr=config.learning_rate, weight_decay=0.01)
    step, best, stale, history = 0, float("inf"), 0, []
    state_path = out / STATE_FILE
    if resume and state_path.is_file():
        state = torch.load(state_path, map_location=device, weights_only=True)
        if _identity(state["config"]) != _identity(asdict(config)):
            raise CuecraftError(state_path, "was written with another training config; use --fresh to start over")
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
        step, best, stale = state["step"], state["best"], state["stale"]
        history = json.loads(state["history"])
        rng = np.random.default_rng(config.seed + step)
    model.train()
    reason = "max_steps"
    pending: list[tuple[int, torch.Tensor]] = []  # (step, training loss) on the device, not yet in the history
    while step < config.max_steps:
        if (time.perf_counter() - started) / 60 > config.max_minutes:
            reason = "time budget"
            break
        for group in optimizer.param_groups:
            group["lr"] = _learning_rate(config, step)
        loss = train_step(model, optimizer, *sample_batch(train_set, vocabulary, config.context, config.batch_size, rng))
        step += 1
        pending.append((step, loss))
        if step % config.eval_every == 0 or step == config.max_steps:
            history += [{"step": s, "train": float(value)} for s, value in pending]  # read back once: no wait per step
            pending.clear()
            validation = _validate(model, val_inputs, val_targets, config.batch_size)
            history[-1]["validation"] = validation
            if validation < best - 1e-4:
                best, stale = validation, 0
                save_model(out / MODEL_FILE, model, _info(config, step, best, len(train_set), len(val_set), vocabulary))
            else:
                stale += 1
            _save_state(state_path, model, optimizer, config, step, best, stale, history)
            plot_losses(history, out / CURVE_FILE)
            if on_eval:
                on_eval(step, loss.item(), validation)
            if stale >= config.patience:
                reason = "early stopping"
                break
    history += [{"step": s, "train": float(value)} for s, value in pending]
    write_text_atomic(out / HISTORY_FILE, json.dumps(history))
    return TrainResult(step, best, reason, round(time.perf_counter() - started, 1), len(train_set), len(val_set),
                       model.parameter_count())  # fmt: skip


def _identity(config: dict) -> dict:
    """What makes two runs the same run: everything but the time budget of one call."""
    return {k: v for k, v in config.items() if k != "max_minutes"}


def warm_start(model: CueTransformer, checkpoint: Path) -> None:
    """Copy an earlier checkpoint's weights into `model`: every tensor of equal shape whole, and the
    token and position embeddings' rows the two share (an extended vocabulary or context keeps its prefix)."""
    payload = torch.load(checkpoint, map_location="cpu", weights_only=True)
    if not isinstance(payload, dict) or payload.get("format") != FORMAT:
        raise CuecraftError(checkpoint, "not a cuecraft transformer checkpoint to start from")
    own = model.state_dict()
    for name, tensor in payload["state_dict"].items():
        if name not in own:
            continue
        if own[name].shape == tensor.shape:
            own[name] = tensor
        elif name in ("tokens.weight", "head.weight", "positions.weight") and own[name].shape[1:] == tensor.shape[1:]:
            own[name][: tensor.shape[0]] = tensor
    model.load_state_dict(own)


def _info(config: TrainConfig, step: int, best: float, n_train: int, n_val: int, vocabulary: Vocabulary) -> dict:
    return {"train_config": asdict(config), "step": step, "validation_loss": best, "train_pieces": n_train,
            "validation_pieces": n_val, "vocabulary": len(vocabulary)}  # fmt: skip


def _save_state(path: Path, model, optimizer, config: TrainConfig, step: int, best: float, stale: int, history: list) -> None:  # noqa: ANN001
    state = {"model": model.state_dict(), "optimizer": optimizer.state_dict(), "config": asdict(config), "step": step,
             "best": best, "stale": stale, "history": json.dumps(history)}  # fmt: skip
    with atomic_path(path) as tmp:
        torch.save(state, tmp)


def plot_losses(history: list[dict], target: Path) -> None:
    """Training loss (smoothed) and validation loss against step, as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    steps = [h["step"] for h in history]
    train_loss = np.array([h["train"] for h in history])
    window = max(1, len(train_loss) // 50)
    smooth = np.convolve(train_loss, np.ones(window) / window, mode="valid")
    fig, ax = plt.subplots(figsize=(7, 4))
    ax.plot(steps[window - 1 :], smooth, label="train (smoothed)")
    evals = [(h["step"], h["validation"]) for h in history if "validation" in h]
    if evals:
        ax.plot(*zip(*evals), "o-", label="validation")
    ax.set_xlabel("step")
    ax.set_ylabel("cross-entropy (nats/token)")
    ax.legend()
    ax.grid(alpha=0.3)
    fig.tight_layout()
    with atomic_path(target) as tmp:
        fig.savefig(tmp, dpi=90)
    plt.close(fig)
