"""Keys, modes and scales: the small piece of music theory every stage shares."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Mode = Literal["major", "minor"]

PITCH_CLASS_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
_LETTER_PC = {"C": 0, "D": 2, "E": 4, "F": 5, "G": 7, "A": 9, "B": 11}
MAJOR_SCALE = (0, 2, 4, 5, 7, 9, 11)
NATURAL_MINOR_SCALE = (0, 2, 3, 5, 7, 8, 10)
# Minor keys admit the raised 7th of the harmonic minor: the leading tone that defines the key.
MINOR_ALTERATIONS = (11,)


@dataclass(frozen=True, order=True)
class Key:
    """A tonic pitch class (0 = C) and a mode."""

    tonic: int
    mode: Mode

    def __post_init__(self) -> None:
        if not 0 <= self.tonic < 12:
            raise ValueError(f"tonic pitch class out of range: {self.tonic}")
        if self.mode not in ("major", "minor"):
            raise ValueError(f"unknown mode: {self.mode}")

    @classmethod
    def parse(cls, text: str) -> Key:
        """Parse names such as 'D minor', 'Eb major', 'F# min', 'bb minor' or 'C'."""
        match = re.fullmatch(r"\s*([A-Ga-g])\s*(#|b|♯|♭|-)?\s*(major|minor|maj|min|m)?\s*", text)
        if not match:
            raise ValueError(f"not a key name: {text!r} (expected e.g. 'D minor' or 'Eb major')")
        letter, accidental, mode = match.groups()
        pc = _LETTER_PC[letter.upper()] + {"#": 1, "♯": 1, "b": -1, "♭": -1, "-": -1}.get(accidental or "", 0)
        is_minor = mode in ("minor", "min", "m")
        return cls(pc % 12, "minor" if is_minor else "major")

    @property
    def name(self) -> str:
        return f"{PITCH_CLASS_NAMES[self.tonic]} {self.mode}"

    def scale(self) -> tuple[int, ...]:
        """Pitch classes of the diatonic scale (natural minor for minor keys)."""
        steps = MAJOR_SCALE if self.mode == "major" else NATURAL_MINOR_SCALE
        return tuple((self.tonic + s) % 12 for s in steps)

    def allowed_pitch_classes(self) -> frozenset[int]:
        """Pitch classes idiomatic in the key: the scale, plus the raised 7th (leading tone) in minor."""
        extra = MINOR_ALTERATIONS if self.mode == "minor" else ()
        return frozenset(self.scale()) | {(self.tonic + s) % 12 for s in extra}

    def other_forms(self) -> dict[int, int]:
        """Pitch classes that are two forms of one degree, each mapped to the other (in minor, the natural
        and the raised 7th): a line over a chord holding one form must not take the other."""
        if self.mode != "minor":
            return {}
        pairs = [((self.tonic + s - 1) % 12, (self.tonic + s) % 12) for s in MINOR_ALTERATIONS]
        return {a: b for pair in pairs for a, b in (pair, pair[::-1])}

    def relative(self) -> Key:
        """The relative major/minor, which shares this key's signature."""
        if self.mode == "major":
            return Key((self.tonic + 9) % 12, "minor")
        return Key((self.tonic + 3) % 12, "major")

    def tonic_triad(self) -> tuple[int, int, int]:
        """Semitone offsets above the tonic of the tonic triad."""
        return (0, 4, 7) if self.mode == "major" else (0, 3, 7)

    def __str__(self) -> str:
        return self.name
