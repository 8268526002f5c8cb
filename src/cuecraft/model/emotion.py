"""An emotion classifier for evaluation only: two logistic regressions (valence sign, arousal sign)
on a piece's symbolic features, trained on VGMIDI's listener labels. It judges whether generated
music carries the emotion it was asked for; it never steers generation."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from cuecraft.corpus.features import PieceFeatures

FEATURES = ("tempo_bpm", "major", "note_density", "polyphony", "pitch_centre", "pitch_span", "velocity_mean",
            "velocity_std", "harmonic_rhythm", "key_confidence")  # fmt: skip


def feature_vector(f: PieceFeatures | dict) -> np.ndarray:
    """The classifier's inputs from a PieceFeatures or a catalog row (missing values as 0)."""
    get = f.get if isinstance(f, dict) else lambda name: getattr(f, name, None)
    low, high = get("pitch_min") or 60, get("pitch_max") or 60
    values = {
        "tempo_bpm": get("tempo_bpm"), "major": 1.0 if (get("key") or "").endswith("major") else 0.0,
        "note_density": get("note_density"), "polyphony": get("polyphony"), "pitch_centre": (low + high) / 2,
        "pitch_span": high - low, "velocity_mean": get("velocity_mean"), "velocity_std": get("velocity_std"),
        "harmonic_rhythm": get("harmonic_rhythm"), "key_confidence": get("key_confidence"),
    }  # fmt: skip
    return np.array([float(values[name] or 0.0) for name in FEATURES])


class EmotionClassifier:
    """Predicts the emotion quadrant of a piece from its features."""

    def __init__(self, valence_model, arousal_model) -> None:  # noqa: ANN001 - sklearn pipelines
        self.valence_model, self.arousal_model = valence_model, arousal_model

    @staticmethod
    def _model():  # noqa: ANN205
        return make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=2000))

    @classmethod
    def fit(cls, rows: list[dict]) -> EmotionClassifier:
        """Train on catalog rows with valence and arousal labels (pieces labelled 0 are left out)."""
        x, v, a = _labelled(rows)
        return cls(cls._model().fit(x, v), cls._model().fit(x, a))

    @classmethod
    def held_out_accuracy(cls, rows: list[dict], folds: int = 5, seed: int = 0) -> dict[str, float]:
        """Cross-validated accuracy of valence, arousal and the quadrant (both right), by piece."""
        x, v, a = _labelled(rows)
        quadrant = 2 * v + a
        right = {"valence": 0, "arousal": 0, "quadrant": 0}
        splitter = StratifiedKFold(folds, shuffle=True, random_state=seed)
        for train_idx, test_idx in splitter.split(x, quadrant):
            pv = cls._model().fit(x[train_idx], v[train_idx]).predict(x[test_idx])
            pa = cls._model().fit(x[train_idx], a[train_idx]).predict(x[test_idx])
            right["valence"] += int((pv == v[test_idx]).sum())
            right["arousal"] += int((pa == a[test_idx]).sum())
            right["quadrant"] += int(((pv == v[test_idx]) & (pa == a[test_idx])).sum())
        return {k: n / len(x) for k, n in right.items()} | {"pieces": float(len(x))}

    def quadrant(self, features: PieceFeatures | dict) -> str:
        x = feature_vector(features)[None]
        valence = "high" if self.valence_model.predict(x)[0] else "low"
        arousal = "high" if self.arousal_model.predict(x)[0] else "low"
        return f"{valence}-valence-{arousal}-arousal"


def _labelled(rows: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    usable = [r for r in rows if r.get("valence") not in (None, 0) and r.get("arousal") not in (None, 0)]
    if len(usable) < 10:
        raise ValueError(f"only {len(usable)} pieces with nonzero valence and arousal labels")
    x = np.stack([feature_vector(r) for r in usable])
    return x, np.array([r["valence"] > 0 for r in usable], int), np.array([r["arousal"] > 0 for r in usable], int)
