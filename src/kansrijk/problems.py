"""Input problems and the report that shows them on the analyst's terminal."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table

MAX_EXAMPLES = 5


@dataclass(frozen=True)
class Problem:
    """One rule broken in one input file.

    ``column`` is the column (or parameter key); ``None`` for a problem with the file as a whole.
    ``rows`` are row numbers as the analyst sees them in the file (the header is row 1) and
    ``values`` the offending values; both hold at most ``MAX_EXAMPLES`` examples, ``n`` counts all.
    """

    file: str
    column: str | None
    rule: str
    n: int = 0
    rows: tuple[int, ...] = ()
    values: tuple[str, ...] = ()

    @classmethod
    def with_examples(
        cls, file: str, column: str | None, rule: str, rows: Iterable[int], values: Iterable[object]
    ) -> Problem:
        rows, values = list(rows), [_show(v) for v in values]
        return cls(file, column, rule, len(rows), tuple(rows[:MAX_EXAMPLES]), tuple(values[:MAX_EXAMPLES]))


def _show(value: object) -> str:
    text = str(value)
    if text in ("", "nan", "<NA>", "None"):
        return "(leeg)"
    return text if len(text) <= 40 else text[:37] + "..."


@dataclass
class InputError(Exception):
    """Raised when parameters or input files break the data contract; carries every problem."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(f"{p.file}: {p.column or '(bestand)'}: {p.rule} ({p.n} rijen)" for p in self.problems)


def render_report(problems: list[Problem], console: Console) -> None:
    """Print the problems grouped per file: column, rule, how many rows, example rows and values."""
    files = list(dict.fromkeys(p.file for p in problems))
    console.print(f"[bold red]Invoer voldoet niet aan het datacontract[/]: {len(problems)} problemen")
    for name in files:
        console.print(f"\n[bold]{name}[/]", soft_wrap=True)  # a path is never wrapped
        table = Table(show_lines=False, expand=False)
        table.add_column("kolom / sleutel", style="cyan", no_wrap=True)
        table.add_column("regel die niet klopt")
        table.add_column("rijen", justify="right")
        table.add_column("voorbeelden (rij: waarde)")
        for p in (p for p in problems if p.file == name):
            if p.rows:
                examples = ", ".join(f"{r}: {v}" for r, v in zip(p.rows, p.values, strict=False))
            else:  # a parameter or a file as a whole: the value alone
                examples = ", ".join(p.values)
            table.add_row(p.column or "(bestand)", p.rule, str(p.n) if p.n else "", examples)
        console.print(table)
