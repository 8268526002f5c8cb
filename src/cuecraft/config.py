"""Typed settings for a scoring run, with defaults that work on a fresh install."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from cuecraft.project import Seed
from cuecraft.theory import Key

DEFAULT_BASELINE_PATH = Path(os.environ.get("CUECRAFT_BASELINE", "models/baseline.npz"))
SAMPLE_RATE = 48000  # Hz: the film and broadcast standard, for every render and take


class ScoreConfig(BaseModel):
    """Everything `cuecraft score` can be told; each field has the default a film mix would start from."""

    sample_rate: int = Field(SAMPLE_RATE, description="Hz; 48 kHz is the film/broadcast standard")
    loudness_target_lufs: float = Field(-24.0, ge=-60, le=-5, allow_inf_nan=False,
                                        description="integrated loudness, ITU-R BS.1770 / EBU R128 style")  # fmt: skip
    true_peak_ceiling_dbtp: float = Field(-1.0, ge=-20, le=0, allow_inf_nan=False, description="maximum true peak")
    shot_threshold: float = Field(27.0, description="PySceneDetect content-detector threshold")
    min_cue_s: float = Field(20.0, gt=0, allow_inf_nan=False, description="shortest cue the spotting makes, seconds")
    max_cue_s: float = Field(180.0, gt=0, allow_inf_nan=False, description="longest cue, seconds")
    scene_distance: float = Field(0.22, ge=0, allow_inf_nan=False, description="picture-look distance under which shots share a scene")
    music_density: float = Field(0.85, ge=0, le=1, allow_inf_nan=False,
                                 description="the least share of the film's running time that keeps music; the calmest, "
                                             "talkiest scenes play without it down to this share (1: wall to wall)")  # fmt: skip
    mood_turn: float = Field(0.6, ge=0, le=4, allow_inf_nan=False,
                             description="|Δvalence| + |Δarousal| between scenes at which a new cue begins (0: one cue per scene)")
    duck_db: float = Field(8.0, ge=0, le=30, allow_inf_nan=False, description="how far the score dips under dialogue in scored.mp4")
    model: Literal["transformer", "baseline"] = Field("transformer", description="the shipped transformer or the Markov baseline")
    model_path: Path | None = Field(None, description="checkpoint of the chosen model (default: shipped / models/baseline.npz)")
    soundfont: Path | None = None
    cues: Path | None = Field(None, description="a cue sheet (YAML) to use instead of automatic spotting")
    home_key: str | None = Field(None, description="e.g. 'D minor'; chosen from the film's mood when unset")
    subtitles: Path | None = Field(None, description="SubRip subtitles whose words steer each cue's mood")
    screenplay: Path | None = Field(None, description="screenplay (Fountain) or scene brief (plain text) for mood and style")
    words_weight: float = Field(0.5, ge=0, le=1, description="how far the words move the picture's mood")
    seed: Seed = 0
    redraws: int = Field(2, ge=0, le=5, description="times a take or theme flagged as copying the training music is drawn again")
    keep_film_audio: bool = Field(True, description="mix the film's own sound under the score in scored.mp4")
    workers: int = Field(0, ge=0, le=64, description="local processes reading the picture, composing and rendering cues and encoding the "
                         "sound (1: this process; 0: one per core when the film or its music is long enough to repay starting them)")
    scheduler: str | None = Field(None, description="a dask.distributed scheduler (tcp://HOST:PORT) to compose and render cues on")

    @model_validator(mode="after")
    def _cue_lengths_in_order(self) -> ScoreConfig:
        if self.min_cue_s > self.max_cue_s:
            raise ValueError(f"the shortest cue ({self.min_cue_s:g} s) is longer than the longest ({self.max_cue_s:g} s)")
        return self

    @field_validator("home_key")
    @classmethod
    def _known_key(cls, value: str | None) -> str | None:
        return None if value is None else Key.parse(value).name
