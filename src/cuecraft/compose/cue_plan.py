"""Turn a cue's mood into a musical brief: key, tempo, ensemble and dynamics.

Mode follows valence (major for positive), tempo follows arousal (Gabrielsson & Lindström 2010 review
these as the most consistent cues for perceived emotion), dynamics follow intensity and, as the emotion
profile learned, valence. Cues share the film's home key or its relative key, so the score keeps one key
signature and the theme stays near.
"""

from __future__ import annotations

from collections.abc import Sequence

from cuecraft.compose.styles import ENSEMBLES, resolve_style
from cuecraft.compose.theme import theme_for_scene, treatment_for
from cuecraft.model.emotion_profile import shipped_emotion_profile
from cuecraft.project import Mood, MusicSettings
from cuecraft.theory import Key

TEMPO_CENTRE, TEMPO_SPAN, TEMPO_MIN, TEMPO_MAX = 92.0, 40.0, 52.0, 144.0
VELOCITY_MIN, VELOCITY_SPAN = 46, 64


def home_key_for(moods: Sequence[Mood]) -> Key:
    """D minor for a film that is darker on average, F major (its relative) otherwise."""
    mean_valence = sum(m.valence for m in moods) / max(1, len(moods))
    return Key.parse("D minor") if mean_valence < 0 else Key.parse("F major")


def velocity_for(intensity: float, valence: float = 0.0, arousal: float = 0.0) -> int:
    """Mean MIDI velocity of a cue at `intensity` (0..1), moved as far as music of this valence is
    louder or softer than neutral music of the same arousal (the learned emotion profile)."""
    offset = shipped_emotion_profile().velocity_offset(valence, arousal)
    return max(1, min(127, round(VELOCITY_MIN + VELOCITY_SPAN * intensity + offset)))


def intensity_for(velocity: int, valence: float = 0.0, arousal: float = 0.0) -> float:
    """The intensity a mean velocity stands for in music of this emotion (inverse of `velocity_for`, clipped to 0..1)."""
    offset = shipped_emotion_profile().velocity_offset(valence, arousal)
    return min(1.0, max(0.0, (velocity - offset - VELOCITY_MIN) / VELOCITY_SPAN))


def cue_intensity(settings: MusicSettings, mood: Mood | None) -> float:
    """A cue's intensity: its mood's, or, for a brief without one, what its dynamic stands for."""
    return mood.intensity if mood else intensity_for(settings.velocity)


def piece_brief(key: str, tempo: float, valence: float, arousal: float, style: str, seed: int) -> tuple[MusicSettings, Mood]:
    """The settings and mood of a free-standing piece (`cuecraft generate`): intensity follows arousal."""
    mood = Mood(valence=valence, arousal=arousal, intensity=(arousal + 1) / 2)
    settings = MusicSettings(key=key, tempo=tempo, program=ENSEMBLES[style].lead.program, seed=seed, style=style,
                             velocity=velocity_for(mood.intensity, valence, arousal))  # fmt: skip
    return settings, mood


def plan_settings(mood: Mood, home_key: Key, seed: int, style: str = "auto", index: int = 0, theme: str = "auto") -> MusicSettings:
    """The brief for cue number `index` in the film whose home key is `home_key`, in a style preset,
    quoting `theme` (a theme id, or auto: chosen by the scene)."""
    mode = "major" if mood.valence >= 0 else "minor"
    key = home_key if home_key.mode == mode else home_key.relative()
    tempo = min(TEMPO_MAX, max(TEMPO_MIN, TEMPO_CENTRE + TEMPO_SPAN * mood.arousal))
    ensemble = resolve_style(style, mood.quadrant)
    return MusicSettings(
        key=key.name,
        tempo=round(tempo),
        beats_per_bar=4,
        program=ensemble.lead.program,
        velocity=velocity_for(mood.intensity, mood.valence, mood.arousal),
        seed=seed,
        style=ensemble.name,
        theme_treatment=treatment_for(mood.valence, mood.arousal, index),
        theme=theme_for_scene(mood.arousal, index) if theme == "auto" else theme,
    )
