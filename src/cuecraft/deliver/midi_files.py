"""Per-cue files for DAWs and notation software: MIDI with the tempo map and hit-point markers,
and MusicXML (through music21) that notation programs open."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import mido
import music21
import pretty_midi

from cuecraft.atomic import atomic_path
from cuecraft.compose.cue_writer import released_before_restrike
from cuecraft.deliver.notation_marks import mark_performance
from cuecraft.errors import CuecraftError

NOTATION_STEPS_PER_BEAT = 12  # sixteenths and triplets


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
    """Notate a cue's MIDI as MusicXML (one part per track, on a grid of sixteenths and triplets: the
    written notes, without the players' timing) with the dynamics, hairpins and articulations it plays
    (deliver.notation_marks)."""
    try:
        performed = pretty_midi.PrettyMIDI(str(midi_path))
        with tempfile.TemporaryDirectory() as folder:
            written = Path(folder) / "written.mid"
            on_notation_grid(performed).write(str(written))
            score = music21.converter.parse(str(written), quantizePost=True)
        mark_performance(score, performed)
    except Exception as exc:  # music21 raises many types for unreadable MIDI
        raise CuecraftError(midi_path, f"cannot be notated ({exc})") from None
    with atomic_path(target) as tmp:
        score.write("musicxml", fp=str(tmp))


def on_notation_grid(midi: pretty_midi.PrettyMIDI) -> pretty_midi.PrettyMIDI:
    """A copy of `midi` with every note's start and end on the nearest twelfth of a beat (sixteenths and
    triplets), at least one step long, each released before its pitch is struck again."""
    grid = midi.resolution // NOTATION_STEPS_PER_BEAT
    written = copy.deepcopy(midi)
    for instrument in written.instruments:
        for note in instrument.notes:
            start = grid * round(midi.time_to_tick(note.start) / grid)
            end = max(start + grid, grid * round(midi.time_to_tick(note.end) / grid))
            note.start, note.end = midi.tick_to_time(start), midi.tick_to_time(end)
        instrument.notes = released_before_restrike(instrument.notes)
    return written


def count_notes(score: music21.stream.Score) -> int:
    """Sounding notes in a music21 score, counting every chord member (ties counted once)."""
    count = 0
    for element in score.recurse().notes:
        notes = element.notes if isinstance(element, music21.chord.ChordBase) else [element]
        count += sum(1 for n in notes if n.tie is None or n.tie.type == "start")
    return count
