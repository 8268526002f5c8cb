"""Write the pieces a JSON request list asks for with whichever cuecraft is importable, one MIDI each.

Run by bench/music_quality.py in this checkout and, with PYTHONPATH pointing at an older checkout's
src/, to measure an earlier model with its own code. Prints seconds per piece as JSON on stdout.
Each request: {"out": path, "key": "D minor", "tempo": 100, "bars": 16, "valence": .5, "arousal": -.5,
"seed": 0, "model": "transformer" | "baseline", "model_path": optional}.
"""

from __future__ import annotations

import json
import sys
import time


def brief(r: dict) -> tuple:
    """(MusicSettings, Mood) as `cuecraft generate` makes them, in this checkout's code or an older one's."""
    try:
        from cuecraft.compose.cue_plan import piece_brief
    except ImportError:  # an older checkout: dynamics from arousal alone
        from cuecraft.compose.cue_plan import velocity_for
        from cuecraft.compose.styles import ENSEMBLES
        from cuecraft.project import Mood, MusicSettings

        mood = Mood(valence=r["valence"], arousal=r["arousal"], intensity=(r["arousal"] + 1) / 2)
        return MusicSettings(key=r["key"], tempo=r["tempo"], program=ENSEMBLES["piano"].lead.program,
                             velocity=velocity_for(mood.intensity), seed=r["seed"], style="piano"), mood  # fmt: skip
    return piece_brief(r["key"], r["tempo"], r["valence"], r["arousal"], r.get("style", "piano"), r["seed"])


def main() -> None:
    from cuecraft.compose.cue_writer import write_piece
    from cuecraft.model.loading import load_composer

    requests = json.load(open(sys.argv[1]))
    composers: dict = {}
    seconds = []
    for r in requests:
        name = (r["model"], r.get("model_path"))
        if name not in composers:
            composers[name] = load_composer(r["model"], r.get("model_path"), r.get("model_path"))
        settings, mood = brief(r)
        started = time.perf_counter()
        midi = write_piece(composers[name], settings, r["bars"], mood)
        seconds.append(time.perf_counter() - started)
        midi.write(r["out"])
    print(json.dumps(seconds))


if __name__ == "__main__":
    main()
