"""Evaluate the composers: objective-metric overlap with held-out real pieces (transformer vs Markov
baseline), control accuracy (key/mode, tempo, emotion quadrant), and sampling speed."""

from __future__ import annotations

import argparse
import itertools
import time
from pathlib import Path

import numpy as np
import torch

from cuecraft.compose.cue_writer import write_piece
from cuecraft.corpus.catalog import Catalog, PieceQuery
from cuecraft.corpus.symbolic import analyse_midi
from cuecraft.model.baseline import MarkovBaseline
from cuecraft.model.checkpoint import load_model
from cuecraft.model.composer import GenerationRequest
from cuecraft.model.dataset import split_by_piece, tokenize_catalog
from cuecraft.model.emotion import EmotionClassifier
from cuecraft.model.events import Note
from cuecraft.model.loading import SHIPPED_TRANSFORMER
from cuecraft.model.metrics import METRICS, overlapping_area
from cuecraft.model.sampling import SamplingSettings, TransformerComposer, sample_ids
from cuecraft.model.tokenizer import CueTokenizer
from cuecraft.project import Mood, MusicSettings
from cuecraft.theory import Key

BARS = 8
MOODS = {"high-valence-high-arousal": (0.8, 0.8), "high-valence-low-arousal": (0.8, -0.8),
         "low-valence-high-arousal": (-0.8, 0.8), "low-valence-low-arousal": (-0.8, -0.8)}  # fmt: skip


def real_pieces(catalog: Path, transformer_info: dict, tokenizer: CueTokenizer, token_cache: Path) -> list[list[Note]]:
    """The transformer's validation pieces (same split), cut to 8-bar excerpts: unseen real music."""
    config = transformer_info.get("train_config", {})
    with Catalog(catalog) as cat:
        pieces = tokenize_catalog(cat, config.get("sources", ["vgmidi"]), tokenizer, token_cache)
    _, held_out = split_by_piece(pieces, config.get("validation_fraction", 0.1), config.get("seed", 0))
    excerpts = []
    for piece in held_out:
        notes = [n for n in tokenizer.decode_notes(list(piece.ids)) if n.onset < BARS * 4]
        if len(notes) > 8:
            excerpts.append(notes)
    return excerpts


def requests(n: int) -> list[tuple[str, MusicSettings, Mood]]:
    keys = ["C major", "A minor", "D minor", "F major", "E minor", "Bb major", "G minor", "D major"]
    out = []
    for i, quadrant in zip(range(n), itertools.cycle(MOODS)):
        valence, arousal = MOODS[quadrant]
        mode = "major" if valence > 0 else "minor"
        key = [k for k in keys if k.endswith(mode)][i % 4]
        tempo = 132 if arousal > 0 else 72
        mood = Mood(valence=valence, arousal=arousal, intensity=(arousal + 1) / 2)
        out.append((quadrant, MusicSettings(key=key, tempo=tempo, program=0, velocity=round(46 + 64 * mood.intensity), seed=i), mood))
    return out


def evaluate(name: str, composer, jobs, classifier: EmotionClassifier, real: list[list[Note]]) -> None:  # noqa: ANN001
    values = {m: [] for m in METRICS}
    key_ok = tempo_ok = quadrant_ok = 0
    started = time.perf_counter()
    for quadrant, settings, mood in jobs:
        midi = write_piece(composer, settings, BARS, mood)
        notes = [Note(n.start * settings.tempo / 60, (n.end - n.start) * settings.tempo / 60, n.pitch) for i in midi.instruments for n in i.notes]
        for metric, fn in METRICS.items():
            values[metric].append(fn(notes))
        features = analyse_midi(midi)
        key_ok += features.key == Key.parse(settings.key).name
        tempo_ok += abs(features.tempo_bpm - settings.tempo) < 0.5
        quadrant_ok += classifier.quadrant(features) == quadrant
    seconds = time.perf_counter() - started
    n = len(jobs)
    music_minutes = sum(BARS * 4 / s.tempo for _, s, _ in jobs)
    print(f"\n{name}: {n} pieces of {BARS} bars, {seconds / music_minutes:.1f} s per minute of music")
    print(f"  control: key/mode {key_ok / n:.0%}, tempo {tempo_ok / n:.0%}, emotion quadrant {quadrant_ok / n:.0%}")
    for metric in METRICS:
        reference = [METRICS[metric](p) for p in real]
        print(f"  {metric:<22} OA {overlapping_area(values[metric], reference):.3f}   generated mean "
              f"{np.mean(values[metric]):6.2f}   real mean {np.mean(reference):6.2f}")


def sampling_speed(composer: TransformerComposer) -> None:
    request = GenerationRequest(Key.parse("C major"), 16 * 4, seed=0, tempo=120)
    for use_cache in (True, False):
        started = time.perf_counter()
        ids = sample_ids(composer.model, composer.tokenizer, request, SamplingSettings(use_cache=use_cache))
        seconds = time.perf_counter() - started
        print(f"  sampling {'with' if use_cache else 'without'} KV cache: {len(ids) / seconds:.0f} tokens/s")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--catalog", type=Path, default=Path("models/corpus.db"))
    parser.add_argument("--transformer", type=Path, default=SHIPPED_TRANSFORMER)
    parser.add_argument("--baseline", type=Path, default=Path("models/baseline.npz"))
    parser.add_argument("--pieces", type=int, default=24)
    parser.add_argument("--token-cache", type=Path, default=Path("models/transformer/tokens.npz"))
    args = parser.parse_args()
    torch.set_num_threads(2)
    model, info = load_model(args.transformer)
    transformer = TransformerComposer(model, info)
    tokenizer = CueTokenizer()
    real = real_pieces(args.catalog, info, tokenizer, args.token_cache)
    with Catalog(args.catalog) as cat:
        labelled = cat.query(PieceQuery(labelled=True))
    accuracy = EmotionClassifier.held_out_accuracy(labelled)
    classifier = EmotionClassifier.fit(labelled)
    print(f"held-out real excerpts: {len(real)}; emotion classifier held-out accuracy (5-fold, {accuracy['pieces']:.0f} "
          f"pieces): valence {accuracy['valence']:.0%}, arousal {accuracy['arousal']:.0%}, quadrant {accuracy['quadrant']:.0%}")
    jobs = requests(args.pieces)
    evaluate("transformer", transformer, jobs, classifier, real)
    sampling_speed(transformer)
    evaluate("markov baseline", MarkovBaseline.load(args.baseline), jobs, classifier, real)


if __name__ == "__main__":
    main()
