"""Style presets: ensembles of parts, each a General MIDI instrument with a role and a playable range.

The model writes a short score (melody over harmony over bass), each note for an instrument family
of the ensemble's (it learned from soundtracks which family carries the line, holds the harmony or
plays the bass); an ensemble's parts play their family's notes in their layer, and any layer no
family was written for. The rhythm sections of the drum-kit ensembles play grooves, bass figures and
accompaniment figures learned from soundtracks instead, and the orchestra's timpani learned figures
(model.grooves). Ranges are written (sounding) MIDI pitches after common orchestration references
(Adler, *The Study of Orchestration*); parts enter only above an intensity, so louder scenes get
denser scoring. 'auto' picks an ensemble by the cue's emotion quadrant.
"""

from __future__ import annotations

from dataclasses import dataclass

from cuecraft.corpus.features import gm_family

MELODY, HARMONY, PAD, BASS, RHYTHM = "melody", "harmony", "pad", "bass", "rhythm"
BASS_FIGURE = "bass figure"  # a learned bass figure on the cue's chords (compose.figures), not the short score's bass
OSTINATO = "ostinato"  # a learned accompaniment figure on the cue's chords (compose.figures), not the short score's inner voices
TIMPANI = "timpani"  # learned timpani figures on the cue's chords (compose.figures)
LINE_ROLES = (MELODY, HARMONY, PAD, BASS)  # the roles that play the model's notes (the others play learned figures)


@dataclass(frozen=True)
class Part:
    """One instrument of an ensemble: what it plays (roles), its sound (GM program) and range."""

    name: str
    roles: tuple[str, ...]
    program: int
    low: int
    high: int
    min_intensity: float = 0.0
    velocity_offset: int = 0
    is_drum: bool = False
    pan: float = 0.0  # seat on the stage, -1 (hard left) .. 1 (hard right), written as CC10
    depth: float = 0.3  # 0 (at the microphones) .. 1 (back of the stage): the reverb send, CC91

    @property
    def family(self) -> str:
        return gm_family(self.program, self.is_drum)

    @property
    def plays_lines(self) -> bool:
        """Whether the part plays the model's notes (a melody, harmony, pad or bass role)."""
        return not self.is_drum and any(r in LINE_ROLES for r in self.roles)

    def own_intensity(self, intensity: float) -> float:
        """The cue's intensity (0..1) within the part's own range, from where it enters (0) to full (1): a
        part kept for intense music (the timpani) plays its sparsest figures as it enters, not its busiest."""
        return min(1.0, max(0.0, (intensity - self.min_intensity) / (1.0 - self.min_intensity)))

    def __post_init__(self) -> None:
        if self.high - self.low < 12:
            raise ValueError(f"{self.name}: a range must span at least an octave to fold notes into it")


@dataclass(frozen=True)
class Ensemble:
    name: str
    description: str
    parts: tuple[Part, ...]
    groove: str = "none"  # the percussion pattern family of compose.percussion, for RHYTHM parts
    room: str = "scoring stage"  # the hall it plays in (render.room.ROOMS)

    @property
    def lead(self) -> Part:
        return next(p for p in self.parts if MELODY in p.roles)

    def line_families(self, intensity: float) -> tuple[str, ...]:
        """The families of the parts that play the model's notes at `intensity`: what it is asked to write for."""
        return tuple(sorted({p.family for p in self.parts if p.plays_lines and p.min_intensity <= intensity}))


ENSEMBLES: dict[str, Ensemble] = {
    e.name: e
    for e in (
        Ensemble("orchestral", "strings carry the line, woodwinds and horns join as scenes intensify", (
            Part("violins", (MELODY,), 48, 55, 96, pan=-0.45, depth=0.2),
            Part("flute", (MELODY,), 73, 60, 96, min_intensity=0.35, velocity_offset=-8, pan=-0.1, depth=0.45),
            Part("violas", (HARMONY,), 48, 48, 84, velocity_offset=-10, pan=0.2, depth=0.25),
            Part("horns", (HARMONY,), 60, 41, 77, min_intensity=0.5, velocity_offset=-6, pan=-0.35, depth=0.6),
            Part("cellos", (BASS,), 42, 36, 72, pan=0.4, depth=0.25),
            Part("contrabasses", (BASS,), 43, 28, 55, min_intensity=0.3, velocity_offset=-6, pan=0.6, depth=0.35),
            Part("timpani", (TIMPANI,), 47, 38, 57, min_intensity=0.65, pan=-0.15, depth=0.75),
        )),
        Ensemble("chamber-strings", "a string quartet: intimate, transparent", (
            Part("violin I", (MELODY,), 40, 55, 100, pan=-0.5, depth=0.2),
            Part("violin II", (HARMONY,), 40, 55, 88, velocity_offset=-10, pan=-0.15, depth=0.2),
            Part("viola", (HARMONY,), 41, 48, 84, velocity_offset=-10, pan=0.15, depth=0.2),
            Part("cello", (BASS,), 42, 36, 72, velocity_offset=-4, pan=0.45, depth=0.2),
        ), room="chamber hall"),
        Ensemble("piano", "solo piano", (
            Part("piano right hand", (MELODY, HARMONY), 0, 52, 100, pan=0.0, depth=0.3),
            Part("piano left hand", (BASS,), 0, 24, 64, velocity_offset=-6, pan=0.0, depth=0.3),
        ), room="recital hall"),
        Ensemble("electronic", "analogue-style synths over a drum machine", (
            Part("lead synth", (MELODY,), 81, 55, 96, min_intensity=0.3, velocity_offset=-10, pan=0.0, depth=0.3),
            Part("bell synth", (MELODY,), 88, 60, 96, velocity_offset=-12, pan=-0.3, depth=0.45),
            Part("warm pad", (PAD,), 89, 48, 84, velocity_offset=-14, pan=0.0, depth=0.5),
            Part("synth bass", (BASS_FIGURE,), 38, 28, 60, pan=0.0, depth=0.1),
            Part("drum machine", (RHYTHM,), 25, 35, 81, min_intensity=0.25, is_drum=True, pan=0.0, depth=0.2),
        ), groove="electronic", room="plate"),
        Ensemble("action-percussion", "brass and driving strings over taiko and orchestral drums", (
            Part("brass section", (MELODY,), 61, 48, 84, pan=0.3, depth=0.55),
            Part("strings", (OSTINATO,), 48, 48, 84, velocity_offset=-8, pan=-0.35, depth=0.3),
            Part("low strings", (BASS_FIGURE,), 48, 28, 55, pan=0.45, depth=0.3),
            Part("taiko", (BASS,), 116, 36, 60, min_intensity=0.2, velocity_offset=4, pan=-0.2, depth=0.7),
            Part("orchestral drums", (RHYTHM,), 48, 35, 81, is_drum=True, pan=0.1, depth=0.7),
        ), groove="action"),
        Ensemble("harp", "harp alone: tender, transparent", (
            Part("harp", (MELODY, HARMONY, BASS), 46, 24, 103, pan=0.0, depth=0.35),
        ), room="chamber hall"),
        # The ensembles of localized scores (compose.locales): General MIDI stand-ins, see there.
        Ensemble("japanese", "shakuhachi over koto and shamisen, taiko", (
            Part("shakuhachi", (MELODY,), 77, 55, 91, pan=-0.2, depth=0.35),
            Part("koto", (HARMONY,), 107, 48, 84, velocity_offset=-6, pan=0.3, depth=0.3),
            Part("shamisen", (BASS,), 106, 40, 76, velocity_offset=-4, pan=-0.35, depth=0.3),
            Part("taiko", (RHYTHM,), 116, 36, 60, min_intensity=0.3, pan=-0.2, depth=0.7),
        ), groove="taiko", room="chamber hall"),
        Ensemble("indian", "sitar, shehnai, harmonium drone, hand drums", (
            Part("sitar", (MELODY,), 104, 48, 84, pan=-0.25, depth=0.3),
            Part("shehnai", (MELODY,), 111, 60, 88, min_intensity=0.5, velocity_offset=-8, pan=0.25, depth=0.4),
            Part("harmonium", (PAD,), 20, 48, 79, velocity_offset=-14, pan=0.0, depth=0.4),
            Part("bass", (BASS,), 32, 28, 55, velocity_offset=-6, pan=0.1, depth=0.2),
            Part("hand drums", (RHYTHM,), 0, 35, 81, min_intensity=0.2, is_drum=True, pan=0.3, depth=0.3),
        ), groove="tabla", room="studio"),
        Ensemble("middle-eastern", "oud, ney and strings over darbuka", (
            Part("ney", (MELODY,), 73, 60, 93, pan=-0.25, depth=0.35),
            Part("oud", (HARMONY, BASS), 24, 40, 76, velocity_offset=-4, pan=0.25, depth=0.3),
            Part("strings", (PAD,), 48, 48, 79, min_intensity=0.4, velocity_offset=-14, pan=0.0, depth=0.45),
            Part("darbuka", (RHYTHM,), 0, 35, 81, min_intensity=0.2, is_drum=True, pan=-0.1, depth=0.35),
        ), groove="maqsum", room="chamber hall"),
        Ensemble("latin", "bandoneon and guitar over tresillo", (
            Part("bandoneon", (MELODY,), 23, 53, 89, pan=-0.3, depth=0.3),
            Part("guitar", (HARMONY,), 24, 40, 76, velocity_offset=-6, pan=0.3, depth=0.3),
            Part("bass", (BASS,), 32, 28, 55, pan=0.0, depth=0.2),
            Part("percussion", (RHYTHM,), 0, 35, 81, is_drum=True, pan=0.1, depth=0.35),
        ), groove="tresillo", room="studio"),
        Ensemble("celtic", "whistle and fiddle over harp, pipes when loud", (
            Part("tin whistle", (MELODY,), 78, 62, 96, pan=-0.3, depth=0.35),
            Part("fiddle", (MELODY,), 110, 55, 93, min_intensity=0.3, velocity_offset=-6, pan=0.3, depth=0.3),
            Part("bagpipe", (PAD,), 109, 58, 82, min_intensity=0.75, velocity_offset=-16, pan=0.0, depth=0.6),
            Part("harp", (HARMONY, BASS), 46, 36, 84, velocity_offset=-4, pan=0.15, depth=0.3),
            Part("bodhran", (RHYTHM,), 0, 35, 81, min_intensity=0.25, is_drum=True, pan=0.0, depth=0.45),
        ), groove="reel", room="chamber hall"),
    )
}

AUTO = "auto"
STYLES = (AUTO, *ENSEMBLES)
ENSEMBLE_BY_QUADRANT = {
    "high-valence-high-arousal": "orchestral",
    "high-valence-low-arousal": "harp",
    "low-valence-high-arousal": "action-percussion",
    "low-valence-low-arousal": "chamber-strings",
}


def resolve_style(style: str, quadrant: str) -> Ensemble:
    """The ensemble a style names; 'auto' chooses by the emotion quadrant."""
    return ENSEMBLES[ENSEMBLE_BY_QUADRANT[quadrant] if style == AUTO else style]
