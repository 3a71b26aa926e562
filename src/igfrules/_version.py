"""The one place the version is written (read by pyproject.toml and every report)."""

__version__ = "0.2.0"
