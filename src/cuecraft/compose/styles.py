"""Style presets a cue sheet can name. Until multi-part orchestration arrives each preset is one
General MIDI instrument; 'auto' picks by the cue's emotion quadrant (cue_plan.PROGRAM_BY_QUADRANT)."""

from __future__ import annotations

STYLE_PROGRAMS: dict[str, int | None] = {
    "auto": None,
    "piano": 0,
    "harp": 46,
    "strings": 48,
    "slow-strings": 49,
    "chamber-strings": 40,  # solo violin
    "brass": 61,
    "woodwinds": 73,  # flute
    "synth-pad": 89,
}
