"""Loudness delivery specifications, each with the document it comes from.

Integrated loudness is program loudness (BS.1770, all channels gated); where a spec measures
dialogue-gated loudness instead, the score is normalised to the same figure as a music-only stem.
"""

from __future__ import annotations

from pydantic import BaseModel, Field


class LoudnessPreset(BaseModel):
    name: str
    integrated_lufs: float
    true_peak_dbtp: float
    source: str = Field(description="where the figures come from")


PRESETS: dict[str, LoudnessPreset] = {
    p.name: p
    for p in (
        LoudnessPreset(name="default", integrated_lufs=-24.0, true_peak_dbtp=-2.0,
                       source="cuecraft default: the ATSC A/85 figures, a safe start for a film or TV mix"),
        LoudnessPreset(name="ebu-r128", integrated_lufs=-23.0, true_peak_dbtp=-1.0,
                       source="EBU R 128 (2020), European broadcast: -23 LUFS +/-0.5 LU, max -1 dBTP"),
        LoudnessPreset(name="atsc-a85", integrated_lufs=-24.0, true_peak_dbtp=-2.0,
                       source="ATSC A/85:2013, US broadcast (CALM Act): -24 LKFS +/-2 dB, max -2 dBTP"),
        LoudnessPreset(name="netflix", integrated_lufs=-27.0, true_peak_dbtp=-2.0,
                       source="Netflix Sound Mix Specifications: -27 LKFS +/-2 LU (dialogue-gated), max -2 dBTP"),
        LoudnessPreset(name="streaming-music", integrated_lufs=-14.0, true_peak_dbtp=-1.0,
                       source="music streaming playback reference (Spotify/YouTube normalise to about -14 LUFS), max -1 dBTP"),
    )
}  # fmt: skip
