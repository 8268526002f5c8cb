import numpy as np
import pytest

from cuecraft.model.emotion import FEATURES, EmotionClassifier
from cuecraft.model.events import Note
from cuecraft.model.metrics import (
    empty_beat_rate, groove_consistency, overlapping_area, pitch_class_entropy, polyphony, scale_consistency,
)  # fmt: skip


def test_metrics_on_known_material() -> None:
    c_major_scale = [Note(i * 0.5, 0.5, p) for i, p in enumerate([60, 62, 64, 65, 67, 69, 71, 72])]
    assert scale_consistency(c_major_scale) == 1.0
    assert pitch_class_entropy([Note(0, 1, 60), Note(1, 1, 72)]) == 0.0
    assert pitch_class_entropy([Note(i, 1, 60 + i) for i in range(12)]) == pytest.approx(np.log2(12))
    same_bars = [Note(b * 4 + i, 1, 60) for b in range(4) for i in (0, 2)]
    assert groove_consistency(same_bars) == 1.0
    assert empty_beat_rate(same_bars) == 0.5  # notes on beats 1 and 3 of every bar, one beat long
    assert polyphony([Note(0, 1, 60), Note(0, 1, 64), Note(1, 1, 67)]) == 1.5


def test_overlapping_area() -> None:
    rng = np.random.default_rng(0)
    a, b = rng.normal(0, 1, 400), rng.normal(0, 1, 400)
    assert overlapping_area(a, b) > 0.9
    assert overlapping_area(a, b + 10) < 0.01


def test_emotion_classifier_learns_a_separable_rule() -> None:
    rng = np.random.default_rng(1)
    rows = []
    for _ in range(120):
        fast, major = rng.random() > 0.5, rng.random() > 0.5
        rows.append({"tempo_bpm": 150 if fast else 70, "key": "C major" if major else "A minor", "note_density": 8,
                     "pitch_min": 48, "pitch_max": 72, "valence": 1 if major else -1, "arousal": 1 if fast else -1})
    accuracy = EmotionClassifier.held_out_accuracy(rows)
    assert accuracy["quadrant"] == 1.0
    assert EmotionClassifier.fit(rows).quadrant({"tempo_bpm": 160, "key": "D minor"}) == "low-valence-high-arousal"


def test_a_balanced_judge_on_chosen_features_is_not_swayed_by_the_commoner_sign_or_a_left_out_feature() -> None:
    """Labels 80 % positive, told apart by mode alone, with loudness that follows nothing but the sign
    mostly: the balanced judge without velocity hears minor pieces as negative whatever their velocity."""
    rng = np.random.default_rng(2)
    rows = []
    for i in range(200):
        positive = i % 5 != 0
        major = positive if rng.random() < 0.85 else not positive
        rows.append({"tempo_bpm": 100 + rng.normal(0, 10), "key": "C major" if major else "A minor", "note_density": 8 + rng.normal(),
                     "pitch_min": 48, "pitch_max": 72, "velocity_mean": 60 if positive else 110,
                     "valence": 1 if positive else -1, "arousal": 1 if rng.random() < 0.5 else -1})  # fmt: skip
    plain = EmotionClassifier.fit(rows)
    judge = EmotionClassifier.fit(rows, tuple(f for f in FEATURES if not f.startswith("velocity")), balanced=True)
    soft_minor = {"tempo_bpm": 100, "key": "A minor", "note_density": 8, "pitch_min": 48, "pitch_max": 72, "velocity_mean": 50}
    assert plain.quadrant(soft_minor).startswith("high-valence")  # soft reads as positive to the judge that weighs velocity
    assert judge.quadrant(soft_minor).startswith("low-valence")
    assert judge.quadrant(soft_minor | {"key": "A major"}).startswith("high-valence")
    accuracy = EmotionClassifier.held_out_accuracy(rows, features=("major",), balanced=True)
    assert 0.8 <= accuracy["valence"] <= 0.9  # mode tells the sign in 85 % of the pieces
