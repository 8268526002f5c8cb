"""Corpus ingest and analysis: reading soundtracks and measuring what they are made of."""
