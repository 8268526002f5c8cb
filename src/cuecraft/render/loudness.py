"""Loudness to a target: BS.1770 integrated loudness (pyloudnorm), loudness range (EBU Tech 3342) and
true peak by 4x oversampling, with a look-ahead peak limiter for the mix whose peaks would pass the
ceiling after gain. The gain is returned as a curve so stems can follow the mix exactly (linked)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyloudnorm
from scipy.ndimage import minimum_filter1d, uniform_filter1d
from scipy.signal import lfilter, lfilter_zi, resample_poly

OVERSAMPLING = 4
LIMITER_LOOKAHEAD_S = 0.005
MAX_PASSES = 6
LIMITER_MARGIN_DB = 0.1  # the limiter aims this far under the ceiling: resampling error
TRUE_PEAK_MARGIN = 64  # input samples carried between blocks so oversampling sees across their joins
# A block whose sample peak times this is below the true peak found so far is not oversampled: peaks
# between samples exceed the samples' by well under 6 dB in real programmes, and a film's score is
# silent or quiet for much of its length.
TRUE_PEAK_HEADROOM = 2.0
TRUE_PEAK_CHUNK = 4096  # samples oversampled together: only the chunks loud enough to matter are


SHORT_TERM_S, SHORT_TERM_HOP_S = 3.0, 0.1
LRA_ABSOLUTE_GATE, LRA_RELATIVE_GATE = -70.0, -20.0


@dataclass(frozen=True)
class LoudnessReport:
    integrated_lufs: float
    true_peak_dbtp: float
    gain_db: float
    loudness_range_lu: float = 0.0


def integrated_loudness(audio: np.ndarray, sample_rate: int) -> float:
    """BS.1770-4 integrated loudness in LUFS of channels x samples audio (-inf for silence)."""
    meter = pyloudnorm.Meter(sample_rate)
    return float(meter.integrated_loudness(audio.T.astype(np.float64)))


def _oversampled(audio: np.ndarray) -> np.ndarray:
    return resample_poly(audio.astype(np.float64), OVERSAMPLING, 1, axis=-1)


def true_envelope(audio: np.ndarray, floor: float) -> np.ndarray:
    """Per sample, the largest magnitude of the 4x-oversampled signal around it across channels, worked
    out where a true peak could reach `floor` (chunks whose sample peak is within TRUE_PEAK_HEADROOM
    of it); elsewhere the samples' own magnitude, which is all a caller comparing with `floor` needs."""
    channels, n = audio.shape
    magnitude = np.abs(audio).max(axis=0, initial=0.0) if n else np.zeros(0)
    envelope = magnitude.astype(np.float64)
    chunks = -(-n // TRUE_PEAK_CHUNK)
    padded = np.zeros(chunks * TRUE_PEAK_CHUNK)
    padded[:n] = magnitude
    loud = np.flatnonzero(TRUE_PEAK_HEADROOM * padded.reshape(chunks, TRUE_PEAK_CHUNK).max(axis=1) > floor)
    if loud.size:  # each loud chunk oversampled with TRUE_PEAK_MARGIN samples either side (zeros past the ends)
        framed = np.zeros((channels, chunks * TRUE_PEAK_CHUNK + 2 * TRUE_PEAK_MARGIN))
        framed[:, TRUE_PEAK_MARGIN : TRUE_PEAK_MARGIN + n] = audio
        rows = np.stack([framed[:, k * TRUE_PEAK_CHUNK : (k + 1) * TRUE_PEAK_CHUNK + 2 * TRUE_PEAK_MARGIN] for k in loud])
        upsampled = _oversampled(rows)[..., OVERSAMPLING * TRUE_PEAK_MARGIN : OVERSAMPLING * (TRUE_PEAK_MARGIN + TRUE_PEAK_CHUNK)]
        peaks = np.abs(upsampled).max(axis=1).reshape(loud.size, TRUE_PEAK_CHUNK, OVERSAMPLING).max(axis=2)
        where = loud[:, None] * TRUE_PEAK_CHUNK + np.arange(TRUE_PEAK_CHUNK)
        inside = where < n
        envelope[where[inside]] = peaks[inside]
    return envelope


def true_peak_dbtp(audio: np.ndarray) -> float:
    """True peak in dBTP, estimated by 4x oversampling as BS.1770 Annex 2 describes."""
    upsampled = _oversampled(audio)
    peak = float(np.max(np.abs(upsampled))) if upsampled.size else 0.0
    return float(20 * np.log10(peak)) if peak > 0 else float("-inf")


def short_term_loudness(audio: np.ndarray, sample_rate: int) -> np.ndarray:
    """BS.1770 short-term loudness (3 s windows, every 0.1 s) in LUFS of channels x samples audio."""
    weighted = audio.astype(np.float64)
    for filter_type, gain, q, fc in (("high_shelf", 4.0, 1 / np.sqrt(2), 1500.0), ("high_pass", 0.0, 0.5, 38.0)):
        weighted = np.stack([pyloudnorm.IIRfilter(gain, q, fc, sample_rate, filter_type).apply_filter(ch) for ch in weighted])
    window, hop = round(SHORT_TERM_S * sample_rate), round(SHORT_TERM_HOP_S * sample_rate)
    if weighted.shape[1] < window:
        return np.array([])
    energy = np.concatenate([[0.0], np.cumsum((weighted**2).sum(axis=0))])
    starts = np.arange(0, weighted.shape[1] - window + 1, hop)
    power = (energy[starts + window] - energy[starts]) / window
    with np.errstate(divide="ignore"):
        return -0.691 + 10 * np.log10(power)


def loudness_range(audio: np.ndarray, sample_rate: int) -> float:
    """EBU Tech 3342 loudness range (LU): the 10th-95th percentile spread of gated short-term loudness."""
    return _spread(short_term_loudness(audio, sample_rate))


def _spread(short: np.ndarray) -> float:
    """Loudness range of short-term loudness values: gated absolutely, then 20 LU under their mean."""
    short = short[short > LRA_ABSOLUTE_GATE]
    if short.size == 0:
        return 0.0
    relative = 10 * np.log10(np.mean(10 ** (short / 10))) + LRA_RELATIVE_GATE
    gated = short[short > relative]
    return float(np.percentile(gated, 95) - np.percentile(gated, 10))


def limiter_reach(sample_rate: int) -> int:
    """Samples either side of a block that its limiter gain depends on (look-ahead window and smoothing,
    with room to spare): the context a block-by-block limiter must read around each block."""
    return 4 * max(1, round(LIMITER_LOOKAHEAD_S * sample_rate))


def peak_gain(audio: np.ndarray, sample_rate: int, ceiling_dbtp: float) -> np.ndarray:
    """The limiter's gain per sample: pulls down, smoothly and with look-ahead, every stretch whose
    true peak passes the ceiling (from the 4x-oversampled envelope, so inter-sample peaks count)."""
    ceiling = 10 ** (ceiling_dbtp / 20)
    n = audio.shape[1]
    if TRUE_PEAK_HEADROOM * float(np.abs(audio).max(initial=0.0)) < ceiling:  # no true peak can reach it: nothing to do
        return np.ones(n, np.float32)
    envelope = true_envelope(audio, ceiling)
    needed = np.minimum(1.0, ceiling / np.maximum(envelope, 1e-12))
    window = max(1, round(LIMITER_LOOKAHEAD_S * sample_rate))
    gain = minimum_filter1d(needed, size=2 * window + 1)
    return np.minimum(uniform_filter1d(gain, size=window), needed).astype(np.float32)


def measure(audio: np.ndarray, sample_rate: int, gain_db: float = 0.0) -> LoudnessReport:
    """Integrated loudness, true peak and loudness range of finished audio."""
    return LoudnessReport(integrated_loudness(audio, sample_rate), true_peak_dbtp(audio), gain_db, loudness_range(audio, sample_rate))


def loudness_gain(audio: np.ndarray, sample_rate: int, target_lufs: float, ceiling_dbtp: float) -> np.ndarray:
    """The gain curve (per sample) that brings `audio` to `target_lufs` with true peaks under `ceiling_dbtp`.

    Limiting lowers loudness a little, so the gain ahead of the limiter is corrected and the chain
    re-run until the loudness is within 0.05 LU (a few passes at most).
    """
    loudness = integrated_loudness(audio, sample_rate)
    if not np.isfinite(loudness):
        raise ValueError("the mix is silent: nothing to normalize")
    gain_db = target_lufs - loudness
    for _ in range(MAX_PASSES):
        curve = np.full(audio.shape[1], 10 ** (gain_db / 20), dtype=np.float32)
        out = audio * curve
        if true_peak_dbtp(out) > ceiling_dbtp:
            curve *= peak_gain(out, sample_rate, ceiling_dbtp - LIMITER_MARGIN_DB)
            out = audio * curve
        error = target_lufs - integrated_loudness(out, sample_rate)
        if abs(error) < 0.05:
            break
        gain_db += error
    return curve


def normalize(audio: np.ndarray, sample_rate: int, target_lufs: float, ceiling_dbtp: float) -> tuple[np.ndarray, LoudnessReport]:
    """`audio` brought to `target_lufs` under `ceiling_dbtp` (see `loudness_gain`), and its measurements."""
    curve = loudness_gain(audio, sample_rate, target_lufs, ceiling_dbtp)
    out = audio * curve
    gain_db = 20 * float(np.log10(np.max(curve)))
    return out, measure(out, sample_rate, gain_db)


class LoudnessMeter:
    """BS.1770-4 integrated loudness, EBU Tech 3342 loudness range and true peak of audio fed block by
    block (channels x samples, any block sizes): the same measures as the functions above, in memory
    that does not grow with the programme (a feature film's mix never has to be held at once)."""

    def __init__(self, sample_rate: int, channels: int = 2, true_peak: bool = True) -> None:
        self.true_peak = true_peak  # False: loudness only (the true peak costs an oversampling pass)
        self.rate, self.step = sample_rate, round(0.1 * sample_rate)
        self.filters = [pyloudnorm.IIRfilter(gain, q, fc, sample_rate, kind)
                        for kind, gain, q, fc in (("high_shelf", 4.0, 1 / np.sqrt(2), 1500.0), ("high_pass", 0.0, 0.5, 38.0))]  # fmt: skip
        self.states = [[lfilter_zi(f.b, f.a) * 0.0 for f in self.filters] for _ in range(channels)]
        self.pending = np.zeros((channels, 0))
        self.steps: list[float] = []  # mean square of the weighted signal (summed over channels) per 100 ms
        self.history = np.zeros((channels, TRUE_PEAK_MARGIN))
        self.peak = 0.0

    def feed(self, audio: np.ndarray) -> None:
        audio = audio.astype(np.float64)
        if not audio.any():  # silence (much of a film's score): past the filters' ringing, it weighs nothing
            weighted = np.zeros_like(audio)
            ringing = self._weigh(audio[:, : self.step])
            weighted[:, : ringing.shape[1]] = ringing
            if max(np.abs(zi).max() for states in self.states for zi in states) > 1e-12:  # still ringing: weigh it all
                weighted[:, ringing.shape[1] :] = self._weigh(audio[:, ringing.shape[1] :])
        else:
            weighted = self._weigh(audio)
        pending = np.concatenate([self.pending, weighted], axis=1)
        whole = pending.shape[1] // self.step * self.step
        squares = (pending[:, :whole] ** 2).sum(axis=0).reshape(-1, self.step).mean(axis=1)
        self.steps.extend(squares.tolist())
        self.pending = pending[:, whole:]
        joined = np.concatenate([self.history, audio], axis=1)
        if self.true_peak and TRUE_PEAK_HEADROOM * float(np.abs(joined).max(initial=0.0)) > self.peak:  # else it cannot hold the programme's peak
            self.peak = max(self.peak, float(true_envelope(joined, self.peak)[self.history.shape[1] :].max(initial=0.0)))
        self.history = joined[:, -TRUE_PEAK_MARGIN:]

    def _weigh(self, audio: np.ndarray) -> np.ndarray:
        """The K-weighted signal, carrying the filters' state from the audio fed before."""
        weighted = np.empty_like(audio)
        for ch, signal in enumerate(audio):
            for k, f in enumerate(self.filters):
                signal, self.states[ch][k] = lfilter(f.b, f.a, signal, zi=self.states[ch][k])
                signal = signal * f.passband_gain
            weighted[ch] = signal
        return weighted

    def _windows(self, steps: int) -> np.ndarray:
        """Loudness (LUFS) of every window of `steps` 100-ms steps, advancing one step at a time."""
        power = np.array(self.steps)
        if power.size < steps:
            return np.array([])
        sums = np.convolve(power, np.ones(steps), mode="valid") / steps
        with np.errstate(divide="ignore"):
            return -0.691 + 10 * np.log10(sums)

    def integrated(self) -> float:
        blocks = self._windows(4)  # 400 ms gating blocks, 75 % overlap
        blocks = blocks[blocks >= -70.0]
        if not blocks.size:
            return float("-inf")
        relative = 10 * np.log10(np.mean(10 ** ((blocks + 0.691) / 10))) - 0.691 - 10.0
        gated = blocks[blocks >= relative]
        return float(-0.691 + 10 * np.log10(np.mean(10 ** ((gated + 0.691) / 10))))

    def loudness_range(self) -> float:
        return _spread(self._windows(round(SHORT_TERM_S / SHORT_TERM_HOP_S)))

    def true_peak_dbtp(self) -> float:
        return float(20 * np.log10(self.peak)) if self.peak > 0 else float("-inf")
