"""briefbot: cited crisis briefings for a Discord team, from a local fact store."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("briefbot")
except PackageNotFoundError:  # running from a checkout that was never installed
    __version__ = "0.0.0+checkout"
