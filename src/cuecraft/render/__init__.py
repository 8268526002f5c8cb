"""Rendering: SoundFont synthesis, mixing onto the film's timeline, loudness, muxing into video."""
