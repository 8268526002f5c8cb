"""Mood from picture: map picture statistics to valence, arousal and intensity.

Grounding: brightness (luma) raises pleasure (valence) and saturation raises arousal more than
pleasure (Valdez & Mehrabian 1994); warm hues lean pleasant; motion and cutting rate drive arousal
in film (Hanjalic & Xu 2005). Weights are set so the statistics' usual range spans most of [-1, 1].
Motion excludes fades (film.picture.moving); the cutting rate weighs little, since a short stretch's
rate is noisy and trailers cut fast throughout.
"""

from __future__ import annotations

import math

from cuecraft.project import Mood, PictureFeatures

NEUTRAL_BRIGHTNESS, NEUTRAL_SATURATION, NEUTRAL_MOTION, NEUTRAL_CUT_RATE = 0.45, 0.4, 0.12, 12.0
LIT = 0.3  # luma under which colour saturation is unreliable (dark pixels' hue and saturation are noise)


def mood_from_picture(p: PictureFeatures) -> Mood:
    """Valence and arousal in [-1, 1] (tanh-squashed linear scores) and intensity in [0, 1]."""
    valence = math.tanh(
        3.0 * (p.brightness - NEUTRAL_BRIGHTNESS) + 0.5 * (p.saturation - NEUTRAL_SATURATION) + 0.4 * p.warmth
    )
    arousal = math.tanh(
        6.0 * (p.motion - NEUTRAL_MOTION)
        + 0.02 * (p.cut_rate - NEUTRAL_CUT_RATE)
        + 1.5 * (p.saturation - NEUTRAL_SATURATION) * min(1.0, p.brightness / LIT)
    )
    return _mood(valence, arousal)


def _mood(valence: float, arousal: float) -> Mood:
    intensity = min(1.0, max(0.0, 0.5 + 0.4 * arousal + 0.1 * abs(valence)))
    return Mood(valence=round(valence, 3), arousal=round(arousal, 3), intensity=round(intensity, 3))


def blend_with_words(picture: Mood, valence: float, arousal: float, weight: float) -> Mood:
    """The picture's mood moved `weight` (0..1) of the way towards the words' valence and arousal."""
    return _mood((1 - weight) * picture.valence + weight * valence, (1 - weight) * picture.arousal + weight * arousal)
