"""Music models: event encodings, the Markov baseline and (later) the conditioned transformer."""
