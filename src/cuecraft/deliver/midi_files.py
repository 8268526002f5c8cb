"""Per-cue files for DAWs and notation software: MIDI with the tempo map and hit-point markers,
and MusicXML (through music21) that notation programs open."""

from __future__ import annotations

from pathlib import Path

import mido
import music21
import pretty_midi

from cuecraft.atomic import atomic_path
from cuecraft.errors import CuecraftError


def write_midi_with_markers(midi: pretty_midi.PrettyMIDI, markers: list[tuple[float, str]], target: Path) -> None:
    """Write `midi` to `target` with a MIDI marker meta event (FF 06) for each (seconds, text)."""
    with atomic_path(target) as tmp:
        midi.write(str(tmp))
        file = mido.MidiFile(str(tmp))
        conductor = file.tracks[0]
        absolute, events = 0, []
        for message in conductor:
            absolute += message.time
            events.append((absolute, message))
        events += [(midi.time_to_tick(seconds), mido.MetaMessage("marker", text=text)) for seconds, text in markers]
        events.sort(key=lambda e: (e[0], e[1].type == "end_of_track"))
        conductor.clear()
        previous = 0
        for tick, message in events:
            conductor.append(message.copy(time=tick - previous))
            previous = tick
        file.save(str(tmp))


def write_musicxml(midi_path: Path, target: Path) -> None:
    """Notate a cue's MIDI as MusicXML (one part per instrument, quantised to sixteenths and triplets)."""
    try:
        score = music21.converter.parse(str(midi_path), quantizePost=True)
    except Exception as exc:  # music21 raises many types for unreadable MIDI
        raise CuecraftError(midi_path, f"cannot be notated ({exc})") from None
    with atomic_path(target) as tmp:
        score.write("musicxml", fp=str(tmp))


def count_notes(score: music21.stream.Score) -> int:
    """Sounding notes in a music21 score, counting every chord member (ties counted once)."""
    count = 0
    for element in score.recurse().notes:
        notes = element.notes if isinstance(element, music21.chord.ChordBase) else [element]
        count += sum(1 for n in notes if n.tie is None or n.tie.type == "start")
    return count
