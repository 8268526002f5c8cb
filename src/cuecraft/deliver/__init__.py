"""Delivery: stems and mix to a loudness spec, MIDI/MusicXML, OTIO/EDL, cue sheets, game packages."""
