"""Locate a General MIDI SoundFont: an explicit path, $CUECRAFT_SOUNDFONT, or Debian's install locations.

MuseScore General (MIT, Debian musescore-general-soundfont-lossless) comes first: velocity-layered,
stereo orchestral samples made for notation playback (docs/sound.md compares it with FluidR3 GM on
the same cues). Its uncompressed .sf2 is used, not the .sf3: FluidSynth decodes an .sf3's Ogg
samples on every load (4-5 s per render here) while an .sf2's are copied from the file (from the
operating system's cache after the first pass), only for the instruments a pass plays. FluidR3 GM is the fallback."""

from __future__ import annotations

import os
from pathlib import Path

from cuecraft.errors import CuecraftError

SYSTEM_SOUNDFONTS = (
    "/usr/share/sounds/sf2/MuseScore_General_Full.sf2",  # Debian musescore-general-soundfont-lossless
    "/usr/share/sounds/sf2/FluidR3_GM.sf2",  # Debian fluid-soundfont-gm
    "/usr/share/sounds/sf2/default-GM.sf2",
    "/usr/share/soundfonts/default.sf2",
    "/usr/share/sounds/sf2/TimGM6mb.sf2",  # Debian timgm6mb-soundfont
)


def find_soundfont(explicit: str | Path | None = None) -> Path:
    """The SoundFont to render with, or a one-line error saying how to install one."""
    candidates = [explicit] if explicit else [os.environ.get("CUECRAFT_SOUNDFONT"), *SYSTEM_SOUNDFONTS]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            if not _is_soundfont(Path(candidate)):
                raise CuecraftError(candidate, "not a SoundFont (a .sf2 or .sf3 file begins RIFF....sfbk)")
            return Path(candidate)
    subject = explicit or "soundfont"
    raise CuecraftError(subject, "no General MIDI SoundFont found (apt-get install musescore-general-soundfont-lossless or fluid-soundfont-gm, or pass --soundfont)")


def _is_soundfont(path: Path) -> bool:
    """Whether the file has a SoundFont's RIFF header (checked before any slow work, not by FluidSynth later)."""
    try:
        with path.open("rb") as file:
            head = file.read(12)
    except OSError:
        return False
    return head[:4] == b"RIFF" and head[8:12] == b"sfbk"
