"""Style presets: ensembles of parts, each a General MIDI instrument with a role and a playable range.

The model writes a short score (melody over harmony over bass); an ensemble says which instruments
play which layer. Ranges are written (sounding) MIDI pitches after common orchestration references
(Adler, *The Study of Orchestration*); parts enter only above an intensity, so louder scenes get
denser scoring. 'auto' picks an ensemble by the cue's emotion quadrant.
"""

from __future__ import annotations

from dataclasses import dataclass

MELODY, HARMONY, PAD, BASS, RHYTHM = "melody", "harmony", "pad", "bass", "rhythm"


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

    def __post_init__(self) -> None:
        if self.high - self.low < 12:
            raise ValueError(f"{self.name}: a range must span at least an octave to fold notes into it")


@dataclass(frozen=True)
class Ensemble:
    name: str
    description: str
    parts: tuple[Part, ...]
    groove: str = "none"  # the percussion pattern family of compose.percussion, for RHYTHM parts

    @property
    def lead(self) -> Part:
        return next(p for p in self.parts if MELODY in p.roles)


ENSEMBLES: dict[str, Ensemble] = {
    e.name: e
    for e in (
        Ensemble("orchestral", "strings carry the line, woodwinds and horns join as scenes intensify", (
            Part("violins", (MELODY,), 48, 55, 96),
            Part("flute", (MELODY,), 73, 60, 96, min_intensity=0.35, velocity_offset=-8),
            Part("violas", (HARMONY,), 48, 48, 84, velocity_offset=-10),
            Part("horns", (HARMONY,), 60, 41, 77, min_intensity=0.5, velocity_offset=-6),
            Part("cellos", (BASS,), 42, 36, 72),
            Part("contrabasses", (BASS,), 43, 28, 55, min_intensity=0.3, velocity_offset=-6),
            Part("timpani", (RHYTHM,), 47, 38, 57, min_intensity=0.65),
        ), groove="timpani"),
        Ensemble("chamber-strings", "a string quartet: intimate, transparent", (
            Part("violin I", (MELODY,), 40, 55, 100),
            Part("violin II", (HARMONY,), 40, 55, 88, velocity_offset=-10),
            Part("viola", (HARMONY,), 41, 48, 84, velocity_offset=-10),
            Part("cello", (BASS,), 42, 36, 72, velocity_offset=-4),
        )),
        Ensemble("piano", "solo piano", (
            Part("piano right hand", (MELODY, HARMONY), 0, 52, 100),
            Part("piano left hand", (BASS,), 0, 24, 64, velocity_offset=-6),
        )),
        Ensemble("electronic", "analogue-style synths over a drum machine", (
            Part("lead synth", (MELODY,), 81, 55, 96, min_intensity=0.3, velocity_offset=-10),
            Part("bell synth", (MELODY,), 88, 60, 96, velocity_offset=-12),
            Part("warm pad", (PAD,), 89, 48, 84, velocity_offset=-14),
            Part("synth bass", (BASS,), 38, 28, 60),
            Part("drum machine", (RHYTHM,), 25, 35, 81, min_intensity=0.25, is_drum=True),
        ), groove="electronic"),
        Ensemble("action-percussion", "brass and driving strings over taiko and orchestral drums", (
            Part("brass section", (MELODY,), 61, 48, 84),
            Part("strings", (HARMONY,), 48, 48, 84, velocity_offset=-8),
            Part("low strings", (BASS,), 48, 28, 55),
            Part("taiko", (BASS,), 116, 36, 60, min_intensity=0.2, velocity_offset=4),
            Part("orchestral drums", (RHYTHM,), 48, 35, 81, is_drum=True),
        ), groove="action"),
        Ensemble("harp", "harp alone: tender, transparent", (
            Part("harp", (MELODY, HARMONY, BASS), 46, 24, 103),
        )),
        # The ensembles of localized scores (compose.locales): General MIDI stand-ins, see there.
        Ensemble("japanese", "shakuhachi over koto and shamisen, taiko", (
            Part("shakuhachi", (MELODY,), 77, 55, 91),
            Part("koto", (HARMONY,), 107, 48, 84, velocity_offset=-6),
            Part("shamisen", (BASS,), 106, 40, 76, velocity_offset=-4),
            Part("taiko", (RHYTHM,), 116, 36, 60, min_intensity=0.3),
        ), groove="taiko"),
        Ensemble("indian", "sitar, shehnai, harmonium drone, hand drums", (
            Part("sitar", (MELODY,), 104, 48, 84),
            Part("shehnai", (MELODY,), 111, 60, 88, min_intensity=0.5, velocity_offset=-8),
            Part("harmonium", (PAD,), 20, 48, 79, velocity_offset=-14),
            Part("bass", (BASS,), 32, 28, 55, velocity_offset=-6),
            Part("hand drums", (RHYTHM,), 0, 35, 81, min_intensity=0.2, is_drum=True),
        ), groove="tabla"),
        Ensemble("middle-eastern", "oud, ney and strings over darbuka", (
            Part("ney", (MELODY,), 73, 60, 93),
            Part("oud", (HARMONY, BASS), 24, 40, 76, velocity_offset=-4),
            Part("strings", (PAD,), 48, 48, 79, min_intensity=0.4, velocity_offset=-14),
            Part("darbuka", (RHYTHM,), 0, 35, 81, min_intensity=0.2, is_drum=True),
        ), groove="maqsum"),
        Ensemble("latin", "bandoneon and guitar over tresillo", (
            Part("bandoneon", (MELODY,), 23, 53, 89),
            Part("guitar", (HARMONY,), 24, 40, 76, velocity_offset=-6),
            Part("bass", (BASS,), 32, 28, 55),
            Part("percussion", (RHYTHM,), 0, 35, 81, is_drum=True),
        ), groove="tresillo"),
        Ensemble("celtic", "whistle and fiddle over harp, pipes when loud", (
            Part("tin whistle", (MELODY,), 78, 62, 96),
            Part("fiddle", (MELODY,), 110, 55, 93, min_intensity=0.3, velocity_offset=-6),
            Part("bagpipe", (PAD,), 109, 58, 82, min_intensity=0.75, velocity_offset=-16),
            Part("harp", (HARMONY, BASS), 46, 36, 84, velocity_offset=-4),
            Part("bodhran", (RHYTHM,), 0, 35, 81, min_intensity=0.25, is_drum=True),
        ), groove="reel"),
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
