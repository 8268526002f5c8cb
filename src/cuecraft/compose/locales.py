"""Localized scores: culturally adapted versions of a score that keep its themes and its timing.

A locale brings its scales (the cue's major or minor material is snapped, note by note, to the
nearest degree of the locale's mode on the same tonic, so every theme keeps its contour), an
ensemble of General MIDI instruments of that tradition, and a percussion groove. These are stylised
approximations within General MIDI (no microtones; GM has no tabla or oud), stated as such.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from cuecraft.compose.styles import ENSEMBLES, Ensemble
from cuecraft.model.events import Note
from cuecraft.theory import Key


@dataclass(frozen=True)
class Locale:
    name: str
    description: str
    major_scale: tuple[int, ...]  # semitones above the tonic used where the cue is in major
    minor_scale: tuple[int, ...]
    ensemble: Ensemble

    def scale(self, key: Key) -> tuple[int, ...]:
        return self.major_scale if key.mode == "major" else self.minor_scale


LOCALES: dict[str, Locale] = {
    loc.name: loc
    for loc in (
        Locale("japanese", "yo scale in major, in (miyako-bushi) in minor; shakuhachi, koto, shamisen, taiko",
               (0, 2, 5, 7, 9), (0, 1, 5, 7, 8), ENSEMBLES["japanese"]),
        Locale("indian", "Bilawal (major) and Bhairav that in minor; sitar and shehnai over a harmonium drone, hand drums",
               (0, 2, 4, 5, 7, 9, 11), (0, 1, 4, 5, 7, 8, 11), ENSEMBLES["indian"]),
        Locale("middle-eastern", "maqam Hijaz in minor, Ajam (major) in major; nylon guitar for oud, flute for ney, darbuka",
               (0, 2, 4, 5, 7, 9, 11), (0, 1, 4, 5, 7, 8, 10), ENSEMBLES["middle-eastern"]),
        Locale("latin", "major and harmonic minor; bandoneon, nylon guitar, bass, clave and congas",
               (0, 2, 4, 5, 7, 9, 11), (0, 2, 3, 5, 7, 8, 11), ENSEMBLES["latin"]),
        Locale("celtic", "Mixolydian in major, Dorian in minor; whistle, fiddle, harp, pipes, bodhran",
               (0, 2, 4, 5, 7, 9, 10), (0, 2, 3, 5, 7, 9, 10), ENSEMBLES["celtic"]),
    )
}  # fmt: skip


def snap_to_scale(notes: list[Note], key: Key, scale: tuple[int, ...]) -> list[Note]:
    """Each note moved to the nearest pitch of `scale` on the key's tonic (downwards on a tie)."""
    allowed = {(key.tonic + step) % 12 for step in scale}
    snapped = []
    for n in notes:
        offset = next(d for d in (0, -1, 1, -2, 2, -3, 3) if (n.pitch + d) % 12 in allowed)
        snapped.append(replace(n, pitch=n.pitch + offset))
    return snapped
