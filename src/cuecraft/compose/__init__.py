"""Composition: cue briefs from mood, the film's themes, and cues written to exact length."""
