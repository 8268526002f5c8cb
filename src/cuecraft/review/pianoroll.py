"""Piano-roll pictures of takes for the review app: one colour per instrument, beats on the x axis."""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import pretty_midi  # noqa: E402
from matplotlib.patches import Rectangle  # noqa: E402


def piano_roll_png(midi: pretty_midi.PrettyMIDI, title: str = "") -> bytes:
    """A PNG of every note as a bar (time in seconds, pitch), instruments coloured and named."""
    figure, axes = plt.subplots(figsize=(9, 3), dpi=90)
    colours = plt.get_cmap("tab10")
    pitches = []
    for number, instrument in enumerate(midi.instruments):
        for note in instrument.notes:
            axes.add_patch(Rectangle((note.start, note.pitch - 0.4), note.end - note.start, 0.8, color=colours(number % 10), alpha=0.8))
            pitches.append(note.pitch)
        axes.plot([], [], color=colours(number % 10), label=instrument.name or pretty_midi.program_to_instrument_name(instrument.program))
    axes.set_xlim(0, max(1.0, midi.get_end_time()))
    axes.set_ylim(min(pitches, default=48) - 2, max(pitches, default=72) + 2)
    axes.set_xlabel("seconds")
    axes.set_ylabel("MIDI pitch")
    axes.set_title(title, fontsize=9)
    if midi.instruments:
        axes.legend(loc="upper right", fontsize=7, ncol=2)
    figure.tight_layout()
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    plt.close(figure)
    return buffer.getvalue()
