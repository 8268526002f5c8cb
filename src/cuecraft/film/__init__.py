"""Film analysis: probing, shot detection, picture features, mood and spotting into cues."""
