"""Cue levels: each cue is brought to a planned loudness before the mix, so a cue's level follows its
intensity (and the composer's trim) rather than how loud its instruments happen to sound. A harp and
a synth lead at one velocity differ by 20 dB or more; a mixer would ride them; this is that ride."""

from __future__ import annotations

import math

import numpy as np

from cuecraft.render.loudness import integrated_loudness

QUIETEST_LUFS, LOUDEST_LUFS = -36.0, -22.0  # a cue at intensity 0 and 1, before the whole mix is normalized


def planned_loudness(intensity: float, trim_db: float = 0.0) -> float:
    """Integrated loudness (LUFS) a cue of `intensity` (0..1) is set to, plus the composer's trim."""
    return QUIETEST_LUFS + (LOUDEST_LUFS - QUIETEST_LUFS) * min(1.0, max(0.0, intensity)) + trim_db


def level_gain(audio: np.ndarray, sample_rate: int, target_lufs: float) -> float:
    """Linear gain that brings `audio` (channels x samples) to `target_lufs`; 1 for silence."""
    measured = integrated_loudness(audio, sample_rate)
    return 1.0 if not math.isfinite(measured) else float(10 ** ((target_lufs - measured) / 20))
