"""Stems by instrument family: each MIDI instrument belongs to one stem; a stem is its parts dry
plus the room's return of their reverb sends (each part's CC91), and a cue's mix is the sum of its
stems, so delivered stems always add back up to the mix."""

from __future__ import annotations

import numpy as np
import pretty_midi

from cuecraft.render.room import DEFAULT_SEND, REVERB_SEND_CC, Room, add_return, room_return
from cuecraft.render.synth import Renderer

STEMS = ("strings", "brass", "woodwinds", "keys", "percussion", "synth", "world")
MIX = "mix"  # the one stem of a mixdown: every part together

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


def reverb_send(instrument: pretty_midi.Instrument) -> float:
    """The part's reverb send (0..1): its first CC91, or General MIDI's default when it sets none."""
    sends = [c.value for c in instrument.control_changes if c.number == REVERB_SEND_CC]
    return sends[0] / 127 if sends else DEFAULT_SEND


def stem_members(midi: pretty_midi.PrettyMIDI) -> dict[str, list[int]]:
    """Indices of the instruments (with notes) in each stem, in STEMS order, omitting empty stems."""
    members = {name: [k for k, i in enumerate(midi.instruments) if i.notes and stem_for(i) == name] for name in STEMS}
    return {name: indices for name, indices in members.items() if indices}


def render_stems(renderer: Renderer, midi: pretty_midi.PrettyMIDI, n_samples: int, tail_samples: int = 0,
                 room: Room | None = None, mixdown: bool = False) -> dict[str, np.ndarray]:  # fmt: skip
    """Each family stem of `midi`, `n_samples` long plus a tail that lets the last notes and the
    room ring on past the out point, fading to silence over `tail_samples` (into the next cue: a
    crossfade). The parts and their reverb are rendered and summed into their stems twenty seconds at
    a time, so only the stems are ever whole; without a room the stems are dry. With `mixdown` every
    part goes into one stem, MIX: the sum of the stems, without the memory of holding them apart (the
    room is linear and one for all, so one send carries every part's reverb)."""
    n = n_samples + tail_samples
    stem_of = {k: MIX if mixdown else name for name, indices in stem_members(midi).items() for k in indices}
    stems = {name: np.zeros((2, n), dtype=np.float32) for name in dict.fromkeys(stem_of.values())}
    levels = {k: np.float32(reverb_send(midi.instruments[k])) for k in stem_of}
    for first, parts in renderer.parts_in_chunks(midi, n):  # a chunk at a time: the parts never exist whole
        sends: dict[str, np.ndarray] = {}
        for k in sorted(parts.keys() & stem_of.keys()):
            stems[stem_of[k]][:, first : first + parts[k].shape[1]] += parts[k]
            if room is not None and stem_of[k] in sends:
                sends[stem_of[k]] += levels[k] * parts[k]
            elif room is not None:
                sends[stem_of[k]] = levels[k] * parts[k]
        for name, send in sends.items():  # the chunk's reverb rings on into the stem's later samples
            add_return(stems[name], first, room_return(send, room, renderer.sample_rate))  # type: ignore[arg-type]
    if tail_samples:
        fade = (0.5 + 0.5 * np.cos(np.linspace(0.0, np.pi, tail_samples))).astype(np.float32)
        for audio in stems.values():
            audio[:, n_samples:] *= fade
    return stems


def sum_stems(stems: dict[str, np.ndarray], n_samples: int) -> np.ndarray:
    """The mix of stems, `n_samples` long (silence if there are none; a lone stem is the mix itself)."""
    if len(stems) == 1:
        return next(iter(stems.values()))
    mix = np.zeros((2, n_samples), dtype=np.float32)
    for audio in stems.values():
        mix += audio
    return mix


def render_mix(renderer: Renderer, midi: pretty_midi.PrettyMIDI, n_samples: int, room: Room | None = None) -> np.ndarray:
    """`midi` rendered in `room` (dry without one): the sum of its stems, `n_samples` long."""
    return sum_stems(render_stems(renderer, midi, n_samples, room=room, mixdown=True), n_samples)
