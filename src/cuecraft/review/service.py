"""The decisions service: every change a composer, director or editor makes to a project, checked
against their role and the cue's lock, applied with optimistic locking and written to the audit log.
The CLI and the web app both call this, so scripts and people follow the same rules."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pretty_midi
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from cuecraft.compose.bar_edit import regenerate_bars
from cuecraft.compose.cue_plan import velocity_for
from cuecraft.compose.styles import ENSEMBLES
from cuecraft.config import SAMPLE_RATE
from cuecraft.corpus.symbolic import load_midi
from cuecraft.errors import CuecraftError
from cuecraft.model.composer import Composer
from cuecraft.project import MAX_TRIM_DB, Cue, Mood, MusicSettings, OriginalityReport, Project, Seed, Take, TakeStatus, ThemeTreatment
from cuecraft.render.soundfont import find_soundfont
from cuecraft.render.synth import Renderer
from cuecraft.review.auth import require
from cuecraft.review.store import Conflict, ProjectStore
from cuecraft.takes import CUES_DIR, compose_cue, next_take_number, render_take, write_take
from cuecraft.theory import Key

MAX_RETRIES = 8
RETRY_BACKOFF_S = 0.005  # first back-off ceiling after a lost race; doubles with each retry


@dataclass(frozen=True)
class Actor:
    name: str
    role: str


class Locked(CuecraftError):
    """The cue is locked: its music may not change."""


def _encodable(value: str) -> str:
    """Text that can be stored: no lone surrogates (which JSON allows and UTF-8 does not)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        raise ValueError("the text holds a character that is not valid Unicode") from None
    return value


Text = Annotated[str, AfterValidator(_encodable)]


def _known_key(value: str) -> str:
    return Key.parse(value).name


def _known_style(value: str) -> str:
    if value not in ENSEMBLES:
        raise ValueError(f"unknown style {value!r} (one of: {', '.join(ENSEMBLES)})")
    return value


class SettingsChange(BaseModel):
    """What a composer may change before regenerating a cue; unset fields keep their value. Checked
    whole before any work starts, so a bad request is refused at once, in one line."""

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    key: Annotated[str, AfterValidator(_known_key)] | None = None
    tempo: float | None = Field(None, ge=20, le=400)
    style: Annotated[str, AfterValidator(_known_style)] | None = None
    seed: Seed | None = None
    valence: float | None = Field(None, ge=-1, le=1)
    arousal: float | None = Field(None, ge=-1, le=1)
    intensity: float | None = Field(None, ge=0, le=1)
    theme_treatment: ThemeTreatment | None = None
    theme: str | None = Field(None, description="id of the film theme to quote (T1 main, T2 secondary)")


class ReviewService:
    """Decisions on one project folder. `composer` is loaded on first regeneration."""

    def __init__(self, folder: str | Path, composer: Callable[[], Composer] | None = None, soundfont: Path | None = None) -> None:
        self.folder = Path(folder)
        self.store = ProjectStore(self.folder)
        self._load_composer, self._composer = composer, None
        self.soundfont = soundfont
        self._remove_stale_temporaries()

    def _remove_stale_temporaries(self) -> None:
        """Temporary files of writes cut short by a killed process (atomic writes never leave others)."""
        for path in (self.folder / CUES_DIR).glob(".*.tmp*"):
            path.unlink(missing_ok=True)
        self.store.interrupt_running_jobs()

    def project(self) -> tuple[Project, int]:
        return self.store.load()

    def _change(self, actor: Actor, permission: str, action: str, cue_id: str, apply: Callable[[Cue], tuple[str | None, dict]],
                expected_version: int | None = None) -> Project:  # fmt: skip
        """Apply `apply` to the cue in the newest project and save it, retrying if someone saved meanwhile
        (only when the caller did not pin a version: then a conflict is the caller's to resolve)."""
        require(actor.role, permission, actor.name)
        for attempt in range(MAX_RETRIES):
            project, version = self.store.load()
            if expected_version is not None and expected_version != version:
                raise Conflict(self.folder, f"the project is at version {version}, not {expected_version}; reload and try again")
            cue = project.cue(cue_id)
            take_id, detail = apply(cue)
            try:
                self.store.save(project, version, actor.name, action, cue_id, take_id, detail)
                return project
            except Conflict:
                if expected_version is not None:
                    raise
                time.sleep(random.uniform(0, RETRY_BACKOFF_S * 2**attempt))  # back off, so racing writers spread out
        raise Conflict(self.folder, "too many concurrent changes; try again")

    def set_status(self, actor: Actor, cue_id: str, take_id: str, status: TakeStatus, expected_version: int | None = None) -> Project:
        """Approve or reject a take (or return it to pending). One approved take per cue: approving
        another sends the previous one back to pending."""

        def apply(cue: Cue) -> tuple[str, dict]:
            _refuse_if_locked(cue)
            take = cue.take(take_id)
            if status == TakeStatus.approved:
                for other in cue.takes:
                    if other.status == TakeStatus.approved and other.id != take_id:
                        other.status = TakeStatus.pending
            previous, take.status = take.status, status
            return take_id, {"from": previous.value, "to": status.value}

        permission = "approve" if status == TakeStatus.approved else "reject"
        return self._change(actor, permission, status.value if status != TakeStatus.pending else "reset", cue_id, apply, expected_version)

    def set_lock(self, actor: Actor, cue_id: str, locked: bool, expected_version: int | None = None) -> Project:
        def apply(cue: Cue) -> tuple[None, dict]:
            if locked and cue.chosen_take() is None:
                raise CuecraftError(cue_id, "has no take to lock")
            cue.locked = locked
            return None, {"locked": locked}

        return self._change(actor, "lock", "lock" if locked else "unlock", cue_id, apply, expected_version)

    def add_note(self, actor: Actor, cue_id: str, text: str, take_id: str | None = None) -> Project:
        text = " ".join(text.split())
        if not text or len(text) > 2000:
            raise CuecraftError(cue_id, "a note is 1-2000 characters")

        def apply(cue: Cue) -> tuple[str | None, dict]:
            target = cue.take(take_id) if take_id else cue
            line = f"[{actor.name}] {text}"
            target.notes = f"{target.notes}\n{line}".strip()
            return take_id, {"text": text}

        return self._change(actor, "note", "note", cue_id, apply)

    def regenerate(self, actor: Actor, cue_id: str, change: SettingsChange, on_progress: Callable[[float, str], None] | None = None) -> Take:
        """Compose and render a new take of the cue with changed settings (never touching other takes)."""
        report = on_progress or (lambda fraction, message: None)
        project, cue = self.regenerable(actor, cue_id, change)
        settings, mood = _changed(cue, change)
        report(0.1, "composing")
        midi, originality = compose_cue(self._composer_now(), project.film, cue.model_copy(update={"mood": mood}), settings,
                                        project.theme_for(settings))  # fmt: skip
        report(0.5, "rendering")
        audio = render_take(self._renderer(), project.film, cue.model_copy(update={"mood": mood}), midi, settings)
        report(0.9, "saving")
        return self._add_take(actor, cue_id, "regenerate", midi, audio, settings, self._composer_now().name, "regenerated",
                              {"settings": settings.model_dump(), "mood": mood.model_dump()}, mood, originality)  # fmt: skip

    def regenerate_bars(self, actor: Actor, cue_id: str, take_id: str, first_bar: int, last_bar: int, seed: int,
                        on_progress: Callable[[float, str], None] | None = None, family: str | None = None) -> Take:  # fmt: skip
        """A new take equal to `take_id` except bars first..last (of one instrument family if given), composed afresh."""
        report = on_progress or (lambda fraction, message: None)
        project, cue = self.editable_cue(actor, "regenerate", cue_id, take_id)
        source = cue.take(take_id)
        report(0.1, f"composing bars {first_bar}-{last_bar}")
        midi = regenerate_bars(self._composer_now(), load_midi(self.folder / source.midi), source.settings, cue.mood,
                               first_bar, last_bar, seed, family)  # fmt: skip
        report(0.5, "rendering")
        audio = render_take(self._renderer(), project.film, cue, midi, source.settings)
        report(0.9, "saving")
        return self._add_take(actor, cue_id, "regenerate", midi, audio, source.settings,
                              self._composer_now().name, f"bars {first_bar}-{last_bar} of {take_id} regenerated" + (f" ({family})" if family else ""),
                              {"from_take": take_id, "bars": [first_bar, last_bar], "seed": seed, "family": family}, None)  # fmt: skip

    def set_level(self, actor: Actor, cue_id: str, take_id: str, level_db: float,
                  on_progress: Callable[[float, str], None] | None = None) -> Take:  # fmt: skip
        """A new take with `take_id`'s very notes at another level (a trim of its planned loudness, dB):
        the composer rides a cue up or down without touching the music."""
        report = on_progress or (lambda fraction, message: None)
        if not -MAX_TRIM_DB <= level_db <= MAX_TRIM_DB:
            raise CuecraftError(f"{level_db:+g} dB", f"a level trim must lie within ±{MAX_TRIM_DB:g} dB")
        project, cue = self.editable_cue(actor, "regenerate", cue_id, take_id)
        source = cue.take(take_id)
        settings = MusicSettings.model_validate({**source.settings.model_dump(), "level_db": level_db})
        midi = load_midi(self.folder / source.midi)
        report(0.2, "rendering")
        audio = render_take(self._renderer(), project.film, cue, midi, settings)
        report(0.9, "saving")
        return self._add_take(actor, cue_id, "regenerate", midi, audio, settings, source.model, f"{take_id} at {level_db:+g} dB",
                              {"from_take": take_id, "level_db": level_db}, None)  # fmt: skip

    def import_take(self, actor: Actor, cue_id: str, midi_path: Path) -> Take:
        """A composer's own MIDI (edited in a DAW) as a new take of the cue, rendered like the others."""
        project, cue = self.editable_cue(actor, "import_take", cue_id)
        midi = load_midi(midi_path)
        if not any(i.notes for i in midi.instruments):
            raise CuecraftError(midi_path, "has no notes to import")
        tempi = midi.get_tempo_changes()[1]
        tempo = float(tempi[0]) if len(tempi) else cue.settings.tempo
        if not 20 <= tempo <= 400:
            raise CuecraftError(midi_path, f"tempo {tempo:.0f} bpm is outside 20-400 bpm")
        settings = cue.settings.model_copy(update={"tempo": tempo})
        audio = render_take(self._renderer(), project.film, cue, midi, settings)
        return self._add_take(actor, cue_id, "import_take", midi, audio, settings, "imported", "imported",
                              {"file": Path(midi_path).name}, None)  # fmt: skip

    def _add_take(self, actor: Actor, cue_id: str, action: str, midi: pretty_midi.PrettyMIDI, audio: np.ndarray,
                  settings: MusicSettings, model: str, source: str, detail: dict, mood: Mood | None,
                  originality: OriginalityReport | None = None) -> Take:  # fmt: skip
        """Write the new take's files under a fresh number and add it to the cue (unless it got locked meanwhile)."""
        created: list[Take] = []

        def apply(cue: Cue) -> tuple[str, dict]:
            _refuse_if_locked(cue)
            if not created:
                created.append(write_take(self.folder, cue, next_take_number(self.folder, cue), midi, audio, SAMPLE_RATE,
                                          settings, model, source, originality))  # fmt: skip
            cue.takes.append(created[0])
            if mood is not None:
                cue.mood = mood
            cue.settings = settings
            return created[0].id, detail

        self._change(actor, action, action, cue_id, apply)  # the action names its permission
        return created[0]

    def regenerable(self, actor: Actor, cue_id: str, change: SettingsChange) -> tuple[Project, Cue]:
        """The project and cue if the actor may regenerate it with `change` (an editable cue, a theme the project has)."""
        project, cue = self.editable_cue(actor, "regenerate", cue_id)
        if change.theme is not None and change.theme not in (ids := [t.id for t in project.themes]):
            raise CuecraftError(change.theme, f"no such theme in this project (themes: {', '.join(ids) or 'none'})")
        return project, cue

    def editable_cue(self, actor: Actor, permission: str, cue_id: str, take_id: str | None = None) -> tuple[Project, Cue]:
        """The project and cue an action may change: the role allows it, the cue (and take) exist, the cue
        is not locked. The web app asks before starting a job, so a refusal comes at once."""
        require(actor.role, permission, actor.name)
        project, _ = self.store.load()
        cue = project.cue(cue_id)
        if take_id is not None:
            cue.take(take_id)
        _refuse_if_locked(cue)
        return project, cue

    def _renderer(self) -> Renderer:
        return Renderer(find_soundfont(self.soundfont), SAMPLE_RATE)

    def _composer_now(self) -> Composer:
        if self._composer is None:
            if self._load_composer is None:
                raise CuecraftError(self.folder, "no model configured for regeneration")
            self._composer = self._load_composer()
        return self._composer


def _refuse_if_locked(cue: Cue) -> None:
    if cue.locked:
        raise Locked(cue.id, "is locked; unlock it before changing its music")


def _changed(cue: Cue, change: SettingsChange) -> tuple[MusicSettings, Mood]:
    """The cue's settings and mood with the change applied (a new style brings its lead instrument)."""
    mood = cue.mood.model_copy(update={k: v for k in ("valence", "arousal", "intensity") if (v := getattr(change, k)) is not None})
    updates = {k: v for k in ("key", "tempo", "style", "seed", "theme_treatment", "theme") if (v := getattr(change, k)) is not None}
    if change.style is not None:
        if change.style not in ENSEMBLES:
            raise CuecraftError(change.style, f"unknown style (one of: {', '.join(ENSEMBLES)})")
        updates["program"] = ENSEMBLES[change.style].lead.program
    if any(getattr(change, k) is not None for k in ("valence", "arousal", "intensity")):
        updates["velocity"] = velocity_for(mood.intensity, mood.valence, mood.arousal)
    settings = MusicSettings.model_validate({**cue.settings.model_dump(), **updates})
    return settings, Mood.model_validate(mood.model_dump())
