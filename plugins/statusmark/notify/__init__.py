"""Tiered notifications: who hears what, on which channel, exactly once."""
