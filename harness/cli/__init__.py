"""The ``harness`` command line: commands, and what the terminal shows."""
