"""cuecraft: AI-assisted film scoring with a human composer in charge."""

__version__ = "0.1.0"
