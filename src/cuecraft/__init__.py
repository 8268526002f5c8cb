"""cuecraft: AI-assisted film scoring with a human composer in charge."""

__version__ = "0.1.0"

try:
    import av as _av
except ImportError:  # a training-only machine (a lent GPU) has no PyAV: nothing there touches media
    pass
else:
    # FFmpeg's own log lines ("moov atom not found", the AAC encoder's "Qavg") are silenced: every problem
    # reaches the user as one line from cuecraft, from the exception PyAV raises.
    _av.logging.set_level(_av.logging.PANIC)
