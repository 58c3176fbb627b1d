"""The thresholds of disclosure control, from the edition's parameters (``onthulling``)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Thresholds:
    min_cel: int = 10
    min_noemer: int = 50

    def count_unsafe(self, n: float) -> bool:
        """A count from 1 to ``min_cel - 1`` may not be published."""
        return 1 <= n < self.min_cel
