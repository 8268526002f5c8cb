"""cuecraft: AI-assisted film scoring with a human composer in charge."""

__version__ = "0.1.0"

try:
    import av as _av
except ImportError:  # a training-only machine (a lent GPU) has no PyAV: nothing there touches media
    pass
else:
    # FFmpeg's own log lines ("moov atom not found", the AAC encoder's "Qavg") are silenced: every problem
    # reaches the user as one line from cuecraft, from the exception PyAV raises. None, not a level: any
    # level hooks FFmpeg's logging into Python, and a frame-threaded H.264 decoder thread logging while
    # the main thread frees the codec (holding the GIL) deadlocks both (PyAV issues 751 and 909; seen here
    # as a film-reading worker hung in avcodec_free_context).
    _av.logging.set_level(None)
