"""Built-in plugins: the Gemini provider, scorers and reporters.

They register through the ``harness`` entry-point group exactly as a third-party package would;
the core (``harness/``) never imports this package.
"""
