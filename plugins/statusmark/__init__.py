"""Statusmark: a git-native status page and incident-communication tool."""

__version__ = "0.1.0"
