"""An emotion classifier for evaluation only: two logistic regressions (valence sign, arousal sign)
on a piece's symbolic features, trained on VGMIDI's listener labels. It judges whether generated
music carries the emotion it was asked for; it never steers generation. Its kind of sign classifier
and its cross-validation also serve the pseudo-labeller (model.pseudo_labels), fitted on other pieces."""

from __future__ import annotations

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedKFold
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import StandardScaler

from cuecraft.corpus.features import PieceFeatures

FEATURES = ("tempo_bpm", "major", "note_density", "polyphony", "pitch_centre", "pitch_span", "velocity_mean",
            "velocity_std", "harmonic_rhythm", "key_confidence")  # fmt: skip


def feature_vector(f: PieceFeatures | dict, features: tuple[str, ...] = FEATURES) -> np.ndarray:
    """The classifier's inputs (`features`, of FEATURES) from a PieceFeatures or a catalog row (missing values as 0)."""
    get = f.get if isinstance(f, dict) else lambda name: getattr(f, name, None)
    low, high = get("pitch_min") or 60, get("pitch_max") or 60
    values = {
        "tempo_bpm": get("tempo_bpm"), "major": 1.0 if (get("key") or "").endswith("major") else 0.0,
        "note_density": get("note_density"), "polyphony": get("polyphony"), "pitch_centre": (low + high) / 2,
        "pitch_span": high - low, "velocity_mean": get("velocity_mean"), "velocity_std": get("velocity_std"),
        "harmonic_rhythm": get("harmonic_rhythm"), "key_confidence": get("key_confidence"),
    }  # fmt: skip
    return np.array([float(values[name] or 0.0) for name in features])


def sign_classifier(balanced: bool = False) -> Pipeline:
    """The classifier of one emotion sign from standardised features (the judge's, and the
    pseudo-labeller's in model.pseudo_labels: the same kind of model, fitted on disjoint pieces).
    `balanced` weighs both signs alike, however many pieces each has (for judging sets asked in equal parts)."""
    return make_pipeline(StandardScaler(), LogisticRegression(C=0.5, max_iter=2000, class_weight="balanced" if balanced else None))


def cross_validated_signs(x: np.ndarray, valence: np.ndarray, arousal: np.ndarray, folds: int = 5, seed: int = 0,
                          confidence: float | None = None, balanced: bool = False) -> dict[str, float]:  # fmt: skip
    """Accuracy by piece of each sign and of the quadrant (both right) over `folds` stratified folds;
    with `confidence`, also each sign's accuracy on the pieces it gives at least that probability, and
    their share."""
    right = {"valence": 0, "arousal": 0}
    both = np.ones(len(x), bool)
    sure = {"valence": [0, 0], "arousal": [0, 0]}
    for train_idx, test_idx in StratifiedKFold(folds, shuffle=True, random_state=seed).split(x, 2 * valence + arousal):
        for name, y in (("valence", valence), ("arousal", arousal)):
            p = sign_classifier(balanced).fit(x[train_idx], y[train_idx]).predict_proba(x[test_idx])[:, 1]
            hit = (p > 0.5) == y[test_idx]
            right[name] += int(hit.sum())
            both[test_idx] &= hit
            if confidence is not None:
                kept = np.maximum(p, 1 - p) >= confidence
                sure[name][0] += int(hit[kept].sum())
                sure[name][1] += int(kept.sum())
    out = {name: n / len(x) for name, n in right.items()} | {"quadrant": float(both.mean())}
    if confidence is not None:
        for name, (good, count) in sure.items():
            out[f"{name} confident"] = good / max(1, count)
            out[f"{name} confident share"] = count / len(x)
    return out | {"pieces": float(len(x))}


class EmotionClassifier:
    """Predicts the emotion quadrant of a piece from its features (all FEATURES, or the `features` it was fitted on)."""

    def __init__(self, valence_model, arousal_model, features: tuple[str, ...] = FEATURES) -> None:  # noqa: ANN001 - sklearn pipelines
        self.valence_model, self.arousal_model, self.features = valence_model, arousal_model, features

    @classmethod
    def fit(cls, rows: list[dict], features: tuple[str, ...] = FEATURES, balanced: bool = False) -> EmotionClassifier:
        """Train on catalog rows with valence and arousal labels (pieces labelled 0 are left out)."""
        x, v, a = labelled_signs(rows, features)
        return cls(sign_classifier(balanced).fit(x, v), sign_classifier(balanced).fit(x, a), features)

    @classmethod
    def held_out_accuracy(cls, rows: list[dict], folds: int = 5, seed: int = 0, features: tuple[str, ...] = FEATURES,
                          balanced: bool = False) -> dict[str, float]:  # fmt: skip
        """Cross-validated accuracy of valence, arousal and the quadrant (both right), by piece."""
        return cross_validated_signs(*labelled_signs(rows, features), folds, seed, balanced=balanced)

    def quadrant(self, features: PieceFeatures | dict) -> str:
        x = feature_vector(features, self.features)[None]
        valence = "high" if self.valence_model.predict(x)[0] else "low"
        arousal = "high" if self.arousal_model.predict(x)[0] else "low"
        return f"{valence}-valence-{arousal}-arousal"


def labelled_signs(rows: list[dict], features: tuple[str, ...] = FEATURES) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(features, valence sign, arousal sign) of the rows labelled on both axes (a 0 is no label)."""
    usable = [r for r in rows if r.get("valence") not in (None, 0) and r.get("arousal") not in (None, 0)]
    if len(usable) < 10:
        raise ValueError(f"only {len(usable)} pieces with nonzero valence and arousal labels")
    x = np.stack([feature_vector(r, features) for r in usable])
    return x, np.array([r["valence"] > 0 for r in usable], int), np.array([r["arousal"] > 0 for r in usable], int)
