"""Re-fitting a written cue to a re-cut scene: bars are added (the phrase before the cadence played
again) or removed (before the cadence) so the cue ends on its cadence at the new out point, and the
tempo map is solved afresh so the new hit points land on beats. The music itself is not re-composed.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass

import pretty_midi

from cuecraft.compose.bar_edit import tempo_map_of
from cuecraft.compose.endings import body_end, layout_cue
from cuecraft.compose.tempo_map import apply_tempo_map, solve_tempo_map
from cuecraft.errors import CuecraftError
from cuecraft.project import MusicSettings


@dataclass(frozen=True)
class Refit:
    midi: pretty_midi.PrettyMIDI
    bars_added: int  # negative: removed
    tempos: tuple[float, ...]


def refit_cue(midi: pretty_midi.PrettyMIDI, settings: MusicSettings, old_seconds: float, new_seconds: float,
              new_hits_s: list[float], cue_id: str = "cue") -> Refit:  # fmt: skip
    """The cue's music re-timed to `new_seconds` with hits at `new_hits_s` (seconds from its start)."""
    bpb = settings.beats_per_bar
    old_map = tempo_map_of(midi)
    old = layout_cue(old_seconds, old_map, bpb, settings.ending)
    new_map = solve_tempo_map(new_seconds, new_hits_s, settings.tempo, bpb).tempo_map
    new = layout_cue(new_seconds, new_map, bpb, settings.ending)
    delta = round((new.final_chord_beat - old.final_chord_beat) / bpb)
    cadence_bar = round(body_end(old, settings.ending) // bpb)  # the bar the closing chords begin in
    if cadence_bar + min(0, delta) < 1:
        raise CuecraftError(cue_id, "is now too short to keep its music: it needs a new take")
    if delta > cadence_bar:
        raise CuecraftError(cue_id, f"grew by {delta} bars, more than it has before its cadence: it needs a new take")
    span = abs(delta) * bpb
    edit_beat = cadence_bar * bpb  # bars are added or removed just before the cadence bar
    refitted = copy.deepcopy(midi)
    apply_tempo_map(refitted, new_map)
    for instrument, original in zip(refitted.instruments, midi.instruments):
        notes = []
        for n in original.notes:
            onset, end = old_map.beat_at(n.start), old_map.beat_at(n.end)
            if onset >= old.final_chord_beat - 1e-6:  # the final chord rings to the new release point
                end = new.release_beat - delta * bpb
            if delta >= 0:
                moved = [(onset, end)] if onset < edit_beat else [(onset + span, end + span)]
                if edit_beat - span <= onset < edit_beat and delta > 0:  # the phrase before the cadence, again
                    moved.append((onset + span, min(end, edit_beat) + span))
            elif onset < edit_beat - span:
                moved = [(onset, min(end, edit_beat - span))]
            elif onset >= edit_beat:
                moved = [(onset - span, end - span)]
            else:
                moved = []
            notes += [pretty_midi.Note(n.velocity, n.pitch, new_map.seconds(a), new_map.seconds(b)) for a, b in moved if b > a]
        instrument.notes = sorted(notes, key=lambda n: (n.start, n.pitch))
    return Refit(refitted, delta, new_map.tempos)
