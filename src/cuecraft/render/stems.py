"""Stems by instrument family: each MIDI instrument belongs to one stem, each stem renders alone,
and a cue's mix is the sum of its stems, so delivered stems always add back up to the mix."""

from __future__ import annotations

import copy

import numpy as np
import pretty_midi

from cuecraft.render.synth import Renderer

STEMS = ("strings", "brass", "woodwinds", "keys", "percussion", "synth", "world")

# General MIDI program ranges (inclusive start, exclusive end) -> stem.
_PROGRAM_STEMS = (
    (0, 24, "keys"),  # pianos, chromatic percussion, organs
    (24, 32, "strings"),  # guitars: plucked strings
    (32, 38, "strings"),  # acoustic/electric basses
    (38, 40, "synth"),  # synth basses
    (40, 47, "strings"),  # violin … harp
    (47, 48, "percussion"),  # timpani
    (48, 52, "strings"),
    (52, 56, "synth"),  # choirs, orchestra hit: sample voices
    (56, 64, "brass"),
    (64, 80, "woodwinds"),  # reeds and pipes
    (80, 104, "synth"),
    (104, 112, "world"),  # sitar, banjo, shamisen, koto, kalimba, bagpipe, fiddle, shanai
    (112, 120, "percussion"),
    (120, 128, "synth"),  # sound effects
)


def stem_for(instrument: pretty_midi.Instrument) -> str:
    """The stem an instrument is delivered in, by its General MIDI program (drums: percussion)."""
    if instrument.is_drum:
        return "percussion"
    return next(stem for start, end, stem in _PROGRAM_STEMS if start <= instrument.program < end)


def split_stems(midi: pretty_midi.PrettyMIDI) -> dict[str, pretty_midi.PrettyMIDI]:
    """One MIDI per stem (tempo, meter and key kept), in STEMS order, omitting empty stems."""
    present = {stem_for(i) for i in midi.instruments if i.notes}
    stems = {}
    for name in (s for s in STEMS if s in present):
        part = copy.deepcopy(midi)
        part.instruments = [i for i in part.instruments if stem_for(i) == name and i.notes]
        stems[name] = part
    return stems


def render_stems(renderer: Renderer, midi: pretty_midi.PrettyMIDI, n_samples: int, tail_samples: int = 0) -> dict[str, np.ndarray]:
    """Each stem of `midi` rendered alone, `n_samples` long plus a tail that lets the last notes ring
    on past the out point, fading to silence over `tail_samples` (into the next cue: a crossfade)."""
    stems = {name: renderer.render(part, n_samples + tail_samples) for name, part in split_stems(midi).items()}
    if tail_samples:
        fade = (0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, tail_samples))).astype(np.float32)
        for audio in stems.values():
            audio[:, n_samples:] *= fade
    return stems


def sum_stems(stems: dict[str, np.ndarray], n_samples: int) -> np.ndarray:
    """The mix of stems, `n_samples` long (silence if there are none)."""
    mix = np.zeros((2, n_samples), dtype=np.float32)
    for audio in stems.values():
        mix += audio
    return mix
