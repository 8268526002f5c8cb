"""The data model that flows through every stage: a Project of Cues, each with Takes, sharing Themes.

Times are kept as frame numbers of the film (exact, editor-friendly); seconds and timecodes derive.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import Enum
from fractions import Fraction
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, Field, computed_field, field_validator

from cuecraft.atomic import write_text_atomic
from cuecraft.errors import CuecraftError
from cuecraft.theory import Key

PROJECT_FILE = "project.json"
SCHEMA_VERSION = 1
MAX_TRIM_DB = 24.0  # the most a composer may ride a cue's level up or down
Ending = Literal["ring-out", "button", "fade", "segue", "unresolved"]  # compose.endings
ThemeTreatment = Literal["statement", "augmentation", "diminution", "fragmentation", "reharmonization"]  # compose.theme.develop


def now_utc() -> str:
    """ISO-8601 UTC timestamp used for every record's creation time."""
    return dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")



CUE_ID_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")


def _safe_cue_id(value: str) -> str:
    """Cue ids name files and appear on pages: letters, digits, '.', '_' and '-', 1-32 long, not
    starting with a dot or dash (so no path, no markup, no hidden file)."""
    if not CUE_ID_PATTERN.fullmatch(value):
        raise ValueError(f"cue id {value!r} is not allowed: use 1-32 letters, digits, '.', '_' or '-' (like 1M1)")
    return value


CueId = Annotated[str, AfterValidator(_safe_cue_id)]
MAX_SEED = 2**32 - 1  # a seed a person gives; the seeds derived from it (per cue, retry, redraw) stay below 2**62
Seed = Annotated[int, Field(ge=0, le=MAX_SEED, description="random seed: the same seed gives the same music")]


class FilmInfo(BaseModel):
    """What probing a video found: the facts every later stage times itself against."""

    path: str
    n_frames: int
    fps_num: int
    fps_den: int = 1
    width: int
    height: int
    has_audio: bool = False
    audio_channels: int = Field(0, description="channels of the film's own sound (6: 5.1)")
    variable_rate: bool = Field(False, description="the file's frames come at uneven times; cues use the frame grid of fps")

    @property
    def fps(self) -> Fraction:
        return Fraction(self.fps_num, self.fps_den)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def duration_s(self) -> float:
        return float(self.frames_to_seconds(self.n_frames))

    def frames_to_seconds(self, frames: int) -> Fraction:
        return Fraction(frames) / self.fps

    def frames_at_seconds(self, seconds: float) -> int:
        """The frame showing at `seconds` (rounded down)."""
        return int(Fraction(seconds).limit_denominator(100000) * self.fps)

    def frames_to_samples(self, frames: int, sample_rate: int) -> int:
        """Sample index of a frame boundary, rounded to the nearest sample."""
        return round(Fraction(frames) * sample_rate / self.fps)

    @property
    def drop_frame(self) -> bool:
        """Whether timecodes count drop-frame (29.97 and 59.94 fps: SMPTE 12M), as the NTSC world writes them."""
        return self.fps_den == 1001 and self.fps_num in (30000, 60000)

    def frames_at(self, timecode: str) -> int:
        """Frame number of a timecode HH:MM:SS:FF (HH:MM:SS;FF drop-frame at 29.97 and 59.94 fps):
        the inverse of `timecode`."""
        match = re.fullmatch(r"(\d{1,2}):([0-5]\d):([0-5]\d)[:;](\d{2})", timecode.strip())
        nominal = round(self.fps)
        if not match or int(match.group(4)) >= nominal:
            raise ValueError(f"not a timecode at {nominal} fps: {timecode!r} (expected HH:MM:SS:FF)")
        h, m, s, f = (int(g) for g in match.groups())
        label = ((h * 60 + m) * 60 + s) * nominal + f
        if not self.drop_frame:
            return label
        dropped = nominal // 15  # 2 frame numbers a minute at 29.97, 4 at 59.94, except every tenth minute
        if s == 0 and f < dropped and m % 10:
            raise ValueError(f"not a drop-frame timecode: {timecode!r} (frames 00-{dropped - 1:02d} are skipped at this minute)")
        minutes = h * 60 + m
        return label - dropped * (minutes - minutes // 10)

    def timecode(self, frames: int) -> str:
        """SMPTE timecode HH:MM:SS:FF at the nominal (rounded) frame rate; drop-frame HH:MM:SS;FF at
        29.97 and 59.94 fps, so the label keeps to the clock."""
        nominal = round(self.fps)
        separator = ":"
        if self.drop_frame:
            dropped = nominal // 15
            per_minute, per_ten = 60 * nominal - dropped, 600 * nominal - 9 * dropped
            tens, rest = divmod(frames, per_ten)
            frames += 9 * dropped * tens + (dropped * ((rest - dropped) // per_minute) if rest >= dropped else 0)
            separator = ";"
        ff = frames % nominal
        total_s = frames // nominal
        return f"{total_s // 3600:02d}:{total_s // 60 % 60:02d}:{total_s % 60:02d}{separator}{ff:02d}"


class PictureFeatures(BaseModel):
    """Mean picture statistics over a stretch of film, each normalised to a documented range."""

    brightness: float = Field(description="mean Rec.709 luma, 0..1")
    saturation: float = Field(description="mean HSV saturation, 0..1")
    warmth: float = Field(description="(R-B)/(R+B) averaged, -1 (cold) .. 1 (warm)")
    motion: float = Field(description="mean absolute frame difference per second, 0..1")
    cut_rate: float = Field(description="shot changes per minute")


class Mood(BaseModel):
    """Circumplex emotion (Russell 1980) plus a 0..1 intensity that drives dynamics and density."""

    valence: float = Field(ge=-1, le=1)
    arousal: float = Field(ge=-1, le=1)
    intensity: float = Field(ge=0, le=1)

    @property
    def quadrant(self) -> str:
        v = "high-valence" if self.valence >= 0 else "low-valence"
        a = "high-arousal" if self.arousal >= 0 else "low-arousal"
        return f"{v}-{a}"


class MusicSettings(BaseModel):
    """The musical brief of one take: what a composer would set before writing."""

    key: str
    tempo: float = Field(ge=20, le=400, description="quarter notes per minute")
    beats_per_bar: int = 4
    program: int = Field(ge=0, le=127, description="General MIDI program of the lead (melody) instrument")
    velocity: int = Field(ge=1, le=127, description="mean MIDI velocity")
    seed: int = Field(0, ge=0, lt=2**62, description="this take's seed, derived from the one given (Seed)")
    style: str = Field("piano", description="the ensemble (compose.styles.ENSEMBLES) that plays the cue")
    theme_treatment: ThemeTreatment = Field(
        "statement", description="how the cue develops the film's theme (compose.theme.develop)")
    locale: str | None = Field(None, description="a localized score's locale (compose.locales): its scales")
    theme: str = Field("T1", description="id of the film theme the cue quotes (Project.themes): T1 main, T2 secondary")
    level_db: float = Field(0.0, ge=-MAX_TRIM_DB, le=MAX_TRIM_DB, description="the composer's trim of the cue's planned loudness (render.levels), dB")
    ending: Ending = Field("ring-out", description="how the cue ends (compose.endings): ring-out (V7-I), button, fade, segue, unresolved")
    next_key: str | None = Field(None, description="a segue's next cue's key: the cue ends on its dominant, which that cue resolves")
    segue_in: bool = Field(False, description="the cue takes over from a segue: it enters on its tonic, resolving that cue's dominant")

    @field_validator("key")
    @classmethod
    def _known_key(cls, value: str) -> str:
        return Key.parse(value).name

    @field_validator("next_key")
    @classmethod
    def _known_next_key(cls, value: str | None) -> str | None:
        return None if value is None else Key.parse(value).name

    @field_validator("style")
    @classmethod
    def _known_style(cls, value: str) -> str:
        from cuecraft.compose.styles import ENSEMBLES

        if value not in ENSEMBLES:
            raise ValueError(f"unknown ensemble {value!r} (one of: {', '.join(ENSEMBLES)})")
        return value

    @field_validator("locale")
    @classmethod
    def _known_locale(cls, value: str | None) -> str | None:
        from cuecraft.compose.locales import LOCALES

        if value is not None and value not in LOCALES:
            raise ValueError(f"unknown locale {value!r} (one of: {', '.join(LOCALES)})")
        return value


class TakeStatus(str, Enum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


class OriginalityReport(BaseModel):
    """How much of a take (or theme) its model's training music already holds (model.originality)."""

    longest_notes: int = Field(description="notes in the longest melodic passage shared with one training piece")
    longest_bars: float = Field(description="that passage's length in bars")
    source: str | None = Field(None, description="the training piece it shares that passage with")
    shared_figures: float = Field(description="share of the melody's six-note figures found anywhere in the corpus")
    threshold_notes: int = Field(description="what three in four real pieces of unseen games share with the corpus")
    flagged: bool = Field(description="longest_notes above the threshold")
    redrawn: list[str] = Field(default_factory=list, description="earlier draws this one replaced, and why")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def summary(self) -> str:
        """One line a music supervisor can read (CLI, review page, cue sheet)."""
        if not self.longest_notes:
            return f"no melodic figure shared with the training music (real pieces: up to {self.threshold_notes} notes)"
        return (f"{'FLAGGED: ' if self.flagged else ''}longest melody shared with the training music {self.longest_notes} notes "
                f"({self.longest_bars:g} bars, '{self.source}'); real pieces share up to {self.threshold_notes}; "
                f"{self.shared_figures:.0%} of its figures are common" + (f"; redrawn {len(self.redrawn)}x" if self.redrawn else ""))


class Take(BaseModel):
    """One rendering of a cue: its settings, the model that wrote it and the files it produced."""

    id: str
    settings: MusicSettings
    model: str
    midi: str = Field(description="path relative to the project folder")
    audio: str = Field(description="path relative to the project folder")
    status: TakeStatus = TakeStatus.pending
    created_at: str = Field(default_factory=now_utc)
    notes: str = ""
    source: str = Field("generated", description="generated, regenerated from another take, or imported from a DAW")
    originality: OriginalityReport | None = Field(None, description="checked against the model's training music")


class CueSection(BaseModel):
    """A part of a cue's form (a scene it spans): where it starts, how intense it is, and its role."""

    start_frame: int
    intensity: float = Field(ge=0, le=1)
    label: Literal["intro", "build", "peak", "release", "statement"] = "statement"


class Cue(BaseModel):
    """A stretch of film that gets music, named in the film-music way (1M1 = reel 1, music 1)."""

    id: CueId
    start_frame: int
    end_frame: int
    shot_starts: list[int] = Field(default_factory=list, description="first frame of every shot in the cue")
    picture: PictureFeatures
    mood: Mood
    settings: MusicSettings
    music: bool = Field(True, description="False: the spotting says no music here")
    style: str = "auto"
    hit_points: list[int] = Field(default_factory=list, description="frames where the music should hit")
    sections: list[CueSection] = Field(default_factory=list, description="the cue's form: one section per scene it spans")
    dialogue: list[tuple[int, int]] = Field(default_factory=list, description="frame spans of spoken lines inside the cue")
    spotting_note: str = Field("", description="why music enters and leaves here (the spotting session's line)")
    notes: str = ""
    title: str = Field("", description="the cue's name on the cue sheet (e.g. 'Main Title'); defaults to its id")
    locked: bool = Field(False, description="a locked cue is never regenerated or overwritten")
    takes: list[Take] = Field(default_factory=list)

    @property
    def n_frames(self) -> int:
        return self.end_frame - self.start_frame

    def take(self, take_id: str) -> Take:
        """The take called `take_id` (a one-line error if the cue has none by that name)."""
        for take in self.takes:
            if take.id == take_id:
                return take
        raise CuecraftError(self.id, f"no take {take_id!r} (takes: {', '.join(t.id for t in self.takes) or 'none'})")

    def chosen_take(self) -> Take | None:
        """The take that goes into the score: the approved one, else the newest not rejected."""
        approved = [t for t in self.takes if t.status == TakeStatus.approved]
        candidates = approved or [t for t in self.takes if t.status != TakeStatus.rejected]
        return candidates[-1] if candidates else None


class ThemeNote(BaseModel):
    """A note of a theme: beats from the theme's start, and its pitch with the key's tonic taken as C."""

    onset: float
    duration: float
    pitch: int = Field(description="MIDI pitch as if the theme's key had tonic C; cues transpose it")


class Theme(BaseModel):
    """A leitmotif written once per film and quoted, adapted to key and mode, by every cue."""

    id: str
    name: str
    key: str
    notes: list[ThemeNote]
    originality: OriginalityReport | None = None


class Project(BaseModel):
    """A scored film: the film's facts, its cues and themes, saved as human-readable JSON."""

    schema_version: int = SCHEMA_VERSION
    name: str
    film: FilmInfo
    home_key: str
    cues: list[Cue] = Field(default_factory=list)
    themes: list[Theme] = Field(default_factory=list)
    dialogue: list[tuple[int, int]] | None = Field(None, description="frame spans where people speak; None: not mapped")
    dialogue_source: str = Field("", description="where the dialogue map comes from: subtitles or a voice detector")
    created_at: str = Field(default_factory=now_utc)

    def dialogue_seconds(self) -> list[tuple[float, float]] | None:
        """The dialogue map in seconds (None when the project was never mapped)."""
        if self.dialogue is None:
            return None
        return [(float(self.film.frames_to_seconds(a)), float(self.film.frames_to_seconds(b))) for a, b in self.dialogue]

    def cue(self, cue_id: str) -> Cue:
        """The cue called `cue_id` (a one-line error naming the known cues otherwise)."""
        for cue in self.cues:
            if cue.id == cue_id:
                return cue
        raise CuecraftError(self.name, f"no cue {cue_id!r} (cues: {', '.join(c.id for c in self.cues)})")

    def theme_for(self, settings: MusicSettings) -> Theme | None:
        """The theme a take's settings quote: by id, else the first (a project from before secondary
        themes has only its main theme), else none."""
        return next((t for t in self.themes if t.id == settings.theme), self.themes[0] if self.themes else None)

    def save(self, folder: str | Path) -> Path:
        """Write `project.json` into `folder` atomically and return its path."""
        path = Path(folder) / PROJECT_FILE
        write_text_atomic(path, self.model_dump_json(indent=2) + "\n")
        return path

    @classmethod
    def load(cls, folder: str | Path) -> Project:
        """Read a project folder (or its project.json), with a one-line error if it is unusable."""
        path = Path(folder)
        if path.is_dir():
            path = path / PROJECT_FILE
        try:
            return cls.model_validate_json(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise CuecraftError(path, "no project file here") from None
        except ValueError as exc:
            first = str(exc).splitlines()[0]
            raise CuecraftError(path, f"not a valid cuecraft project ({first})") from None
