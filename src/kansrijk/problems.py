"""Input problems and the report that shows them on the analyst's terminal."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from rich.console import Console
from rich.table import Table
from rich.text import Text

from kansrijk.fmt import aantal
from kansrijk.text import shown

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
        rows, values = list(rows), [shown(v) for v in values]
        return cls(file, column, rule, len(rows), tuple(rows[:MAX_EXAMPLES]), tuple(values[:MAX_EXAMPLES]))


@dataclass
class InputError(Exception):
    """Raised when parameters or input files break the data contract; carries every problem."""

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        return "\n".join(f"{p.file}: {p.column or '(bestand)'}: {p.rule} ({p.n} rijen)" for p in self.problems)


def make_console(stderr: bool = False) -> Console:
    """A console that prints values literally: no emoji codes (``:x:``), no highlighting."""
    return Console(stderr=stderr, emoji=False, highlight=False)


def render_report(problems: list[Problem], console: Console) -> None:
    """Print the problems grouped per file: column, rule, how many rows, example rows and values.
    Every value from a file is a :class:`rich.text.Text`, so that rich never reads it as markup."""
    files = list(dict.fromkeys(p.file for p in problems))
    console.print(
        Text.assemble(
            ("Invoer voldoet niet aan het datacontract", "bold red"),
            f": {aantal(len(problems), 'probleem', 'problemen')}",
        )
    )
    for name in files:
        console.print(Text.assemble("\n", (shown(name, limit=300), "bold")), soft_wrap=True)  # a path is never wrapped
        table = Table(show_lines=False, expand=False)
        table.add_column("kolom / sleutel", style="cyan", no_wrap=True)
        table.add_column("regel die niet klopt")
        table.add_column("rijen", justify="right")
        table.add_column("voorbeelden (rij: waarde)")
        for p in (p for p in problems if p.file == name):
            if p.rows:
                examples = ", ".join(f"{r}: {v}" for r, v in zip(p.rows, p.values, strict=False))
            else:  # a parameter or a file as a whole: the value alone
                examples = ", ".join(shown(v) for v in p.values)
            table.add_row(
                Text(shown(p.column, limit=60) if p.column else "(bestand)"),
                Text(p.rule),
                Text(str(p.n) if p.n else ""),
                Text(examples),
            )
        console.print(table)
