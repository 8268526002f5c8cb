"""Loudness to a target: BS.1770 integrated loudness (pyloudnorm) and true peak by 4x oversampling,
with a look-ahead peak limiter for the rare mix whose peaks would pass the ceiling after gain."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import resample_poly

OVERSAMPLING = 4
LIMITER_LOOKAHEAD_S = 0.005
MAX_PASSES = 6
LIMITER_MARGIN_DB = 0.1  # the limiter aims this far under the ceiling: resampling error


@dataclass(frozen=True)
class LoudnessReport:
    integrated_lufs: float
    true_peak_dbtp: float
    gain_db: float


def integrated_loudness(audio: np.ndarray, sample_rate: int) -> float:
    """BS.1770-4 integrated loudness in LUFS of channels x samples audio (-inf for silence)."""
    meter = pyloudnorm.Meter(sample_rate)
    return float(meter.integrated_loudness(audio.T.astype(np.float64)))


def _oversampled(audio: np.ndarray) -> np.ndarray:
    return resample_poly(audio.astype(np.float64), OVERSAMPLING, 1, axis=-1)


def true_peak_dbtp(audio: np.ndarray) -> float:
    """True peak in dBTP, estimated by 4x oversampling as BS.1770 Annex 2 describes."""
    upsampled = _oversampled(audio)
    peak = float(np.max(np.abs(upsampled))) if upsampled.size else 0.0
    return 20 * np.log10(peak) if peak > 0 else float("-inf")


def limit_peaks(audio: np.ndarray, sample_rate: int, ceiling_dbtp: float) -> np.ndarray:
    """Pull down, smoothly and with look-ahead, every stretch whose true peak passes the ceiling.

    The gain is computed from the 4x-oversampled envelope, so inter-sample peaks are caught too.
    """
    ceiling = 10 ** (ceiling_dbtp / 20)
    n = audio.shape[1]
    envelope = np.abs(_oversampled(audio)).max(axis=0)[: n * OVERSAMPLING].reshape(n, OVERSAMPLING).max(axis=1)
    needed = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-12))
    window = max(1, round(LIMITER_LOOKAHEAD_S * sample_rate))
    gain = minimum_filter1d(needed, size=2 * window + 1)
    gain = np.minimum(uniform_filter1d(gain, size=window), needed)
    return (audio * gain).astype(audio.dtype)


def normalize(audio: np.ndarray, sample_rate: int, target_lufs: float, ceiling_dbtp: float) -> tuple[np.ndarray, LoudnessReport]:
    """Gain to `target_lufs`, then limit so the true peak stays under `ceiling_dbtp`.

    Limiting lowers loudness a little, so the gain ahead of the limiter is corrected and the chain
    re-run until the loudness is within 0.05 LU (a few passes at most).
    """
    loudness = integrated_loudness(audio, sample_rate)
    if not np.isfinite(loudness):
        raise ValueError("the mix is silent: nothing to normalize")
    gain_db = target_lufs - loudness
    for _ in range(MAX_PASSES):
        out = audio * np.float32(10 ** (gain_db / 20))
        if true_peak_dbtp(out) > ceiling_dbtp:
            out = limit_peaks(out, sample_rate, ceiling_dbtp - LIMITER_MARGIN_DB)
        error = target_lufs - integrated_loudness(out, sample_rate)
        if abs(error) < 0.05:
            break
        gain_db += error
    report = LoudnessReport(integrated_loudness(out, sample_rate), true_peak_dbtp(out), gain_db)
    return out, report
