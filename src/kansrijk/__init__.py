"""Kansrijk: a reproducible report series on young children and families in vulnerable situations.

The pipeline reads as the package does: ``params`` -> ``schemas``/``validation`` ->
``analyses`` -> ``figures`` -> ``build``.
"""

__version__ = "0.1.0"
