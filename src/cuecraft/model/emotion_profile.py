"""The emotion profile: how loud and how chromatic music is that listeners labelled with each emotion.

Fitted on the labelled VGMIDI pieces the models may learn from (the emotion judge's games kept out):
per quadrant (sign of valence x sign of arousal), the mean note velocity, the share of notes outside
the local key (keys followed beat by beat, so a modulation is not counted as colour), the share of chord
time on chords with a tone outside the local key (borrowed and chromatic chords), and per mode which degrees
those notes take (the raised 4th, the flat 7th, 6th and 3rd in major; the raised 6th, the raised 4th
and the flat 2nd in minor: colour that leaves the key standing). In those pieces,
at equal arousal, music labelled negative is louder and more chromatic, in its lines and in its chords; composing to the profile lets
valence be heard at a fixed key and mode. Between quadrants the profile is interpolated bilinearly.
"""

from __future__ import annotations

import bisect
import functools
import json
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np

from cuecraft.atomic import write_text_atomic
from cuecraft.corpus.chords import label_chords
from cuecraft.corpus.keyfinding import local_keys
from cuecraft.errors import CuecraftError
from cuecraft.model.events import Note
from cuecraft.theory import Key

DEFAULT_PROFILE = Path(__file__).parent / "assets" / "emotion_profile.json"
FORMAT = "cuecraft-emotion-profile/2"
QUADRANTS = ("V+A+", "V+A-", "V-A+", "V-A-")


def quadrant_of(valence: float, arousal: float) -> str:
    return f"V{'+' if valence > 0 else '-'}A{'+' if arousal > 0 else '-'}"


def key_in_force(notes: list[Note]) -> Callable[[float], Key]:
    """The key in force at a beat of `notes` (keys followed beat by beat)."""
    spans = local_keys((n.onset, n.duration, n.pitch) for n in notes)
    starts = [s.start for s in spans]
    return lambda beat: spans[max(0, bisect.bisect(starts, beat) - 1)].key


def outside_the_key(notes: list[Note], key_at: Callable[[float], Key] | None = None) -> list[tuple[str, int]]:
    """(mode, degree above the tonic) of each note outside the key in force where it sounds (the raised
    7th counts as in a minor key); `key_at`: the notes' key_in_force, when it is already known."""
    key_at = key_at or key_in_force(notes)
    in_force = ((key_at(n.onset), n) for n in notes)
    return [(key.mode, (n.pitch - key.tonic) % 12) for key, n in in_force if n.pitch % 12 not in key.allowed_pitch_classes()]


def chromatic_share(notes: list[Note], key_at: Callable[[float], Key] | None = None) -> float:
    """Share of notes outside the key in force where they sound."""
    return len(outside_the_key(notes, key_at)) / len(notes) if notes else 0.0


def chromatic_chord_share(notes: list[Note], key_at: Callable[[float], Key] | None = None) -> float:
    """Share of chord time (the chord labeller's chords) on chords with a tone outside the key in force
    where they start: borrowed and chromatic chords (a modulation's chords are in their own key)."""
    if not notes:
        return 0.0
    key_at, chords = key_at or key_in_force(notes), label_chords(notes)
    outside = sum(c.end - c.start for c in chords if not c.chord.pitch_classes <= key_at(c.start).allowed_pitch_classes())
    return outside / sum(c.end - c.start for c in chords)


@dataclass(frozen=True)
class EmotionProfile:
    """Per quadrant: mean velocity, mean chromatic share of notes and of chord time, and how many pieces
    each mean rests on; per mode, which degrees the chromatic notes take (shares summing to 1, indexed by
    semitones above the tonic)."""

    velocity: dict[str, float]
    chromatic: dict[str, float]
    chromatic_chords: dict[str, float]
    pieces: dict[str, int]
    colour_degrees: dict[str, list[float]]

    @classmethod
    def fit(cls, labelled: Iterable[tuple[list[Note], float, float]]) -> EmotionProfile:
        """From (notes, valence, arousal) of labelled pieces; pieces labelled 0 on either axis are left out."""
        rows: dict[str, list[tuple[float, float, float]]] = {q: [] for q in QUADRANTS}
        degrees = {"major": np.zeros(12), "minor": np.zeros(12)}
        for notes, valence, arousal in labelled:
            if valence and arousal and notes:
                key_at = key_in_force(notes)  # found once: the notes and the chords are judged in the same keys
                outside = outside_the_key(notes, key_at)
                for mode, degree in outside:
                    degrees[mode][degree] += 1
                rows[quadrant_of(valence, arousal)].append((float(np.mean([n.velocity for n in notes])), len(outside) / len(notes),
                                                            chromatic_chord_share(notes, key_at)))  # fmt: skip
        if any(not r for r in rows.values()):
            raise ValueError(f"every quadrant needs labelled pieces; have {', '.join(f'{q}: {len(r)}' for q, r in rows.items())}")
        return cls({q: round(float(np.mean([r[0] for r in rows[q]])), 2) for q in QUADRANTS},
                   {q: round(float(np.mean([r[1] for r in rows[q]])), 4) for q in QUADRANTS},
                   {q: round(float(np.mean([r[2] for r in rows[q]])), 4) for q in QUADRANTS},
                   {q: len(rows[q]) for q in QUADRANTS},
                   _shares(degrees))  # fmt: skip

    def _at(self, table: dict[str, float], valence: float, arousal: float) -> float:
        v, a = (np.clip(valence, -1, 1) + 1) / 2, (np.clip(arousal, -1, 1) + 1) / 2  # 0 (negative) .. 1 (positive)
        high = a * table["V+A+"] + (1 - a) * table["V+A-"]
        low = a * table["V-A+"] + (1 - a) * table["V-A-"]
        return float(v * high + (1 - v) * low)

    def chromatic_at(self, valence: float, arousal: float) -> float:
        """The share of notes outside the key that music of this emotion has."""
        return self._at(self.chromatic, valence, arousal)

    def chromatic_chords_at(self, valence: float, arousal: float) -> float:
        """The share of chord time on chords outside the key that music of this emotion has."""
        return self._at(self.chromatic_chords, valence, arousal)

    def colour_weights(self, key: Key) -> tuple[float, ...]:
        """Weights of the 12 pitch classes as chromatic colour in `key` (the degrees' shares, moved to its tonic)."""
        shares = self.colour_degrees[key.mode]
        return tuple(shares[(pc - key.tonic) % 12] for pc in range(12))

    def velocity_offset(self, valence: float, arousal: float = 0.0) -> float:
        """Velocity this valence adds to (or takes from) emotionally neutral music of the same arousal."""
        return self._at(self.velocity, valence, arousal) - self._at(self.velocity, 0.0, arousal)

    def save(self, path: str | Path) -> None:
        write_text_atomic(Path(path), json.dumps({"format": FORMAT, **asdict(self)}, indent=1))

    @classmethod
    def load(cls, path: str | Path = DEFAULT_PROFILE) -> EmotionProfile:
        path = Path(path)
        try:
            payload = json.loads(path.read_text())
            if payload.pop("format", None) != FORMAT:
                raise ValueError("not a cuecraft emotion profile")
            profile = cls(**payload)
            for table in (profile.velocity, profile.chromatic, profile.chromatic_chords):
                if set(table) != set(QUADRANTS):
                    raise ValueError("a quadrant is missing")
            if any(len(profile.colour_degrees.get(mode, ())) != 12 for mode in ("major", "minor")):
                raise ValueError("colour degrees need 12 shares per mode")
            return profile
        except (OSError, ValueError, TypeError) as exc:
            raise CuecraftError(path, f"unreadable emotion profile ({exc.__class__.__name__}: {exc})") from None


def _shares(tables: dict[str, np.ndarray]) -> dict[str, list[float]]:
    return {mode: [round(float(x), 4) for x in table / max(1e-9, table.sum())] for mode, table in tables.items()}


@functools.lru_cache(maxsize=1)
def shipped_emotion_profile() -> EmotionProfile:
    """The profile shipped in the package (read once per process)."""
    return EmotionProfile.load(DEFAULT_PROFILE)

