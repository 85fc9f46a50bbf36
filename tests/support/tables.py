"""Rates per language x style, as the held-out measurements print them (redaction, and realistic writing)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Cell:
    passed: int = 0
    total: int = 0
    failures: list[str] = field(default_factory=list)
    # Where the counted thing is the bad one (false danger), what was counted.
    passes: list[str] = field(default_factory=list)

    def add(self, ok: bool, text: str) -> None:
        self.total += 1
        self.passed += ok
        (self.passes if ok else self.failures).append(text)

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 1.0


def total(cells: dict[str, Cell]) -> Cell:
    out = Cell()
    for cell in cells.values():
        out.passed += cell.passed
        out.total += cell.total
    return out


def every_language(rows: dict[str, dict[str, Cell]]) -> dict[str, Cell]:
    """Per style, every language's cells together: the bottom row of a table."""
    styles = sorted({style for cells in rows.values() for style in cells})
    return {
        style: total({language: cells[style] for language, cells in rows.items() if style in cells}) for style in styles
    }


def _cell(cell: Cell) -> str:
    text = f"{cell.rate:.2f} {cell.passed}/{cell.total}"
    return f" {text:>13}"


def print_table(title: str, rows: dict[str, dict[str, Cell]]) -> None:
    styles = sorted({style for cells in rows.values() for style in cells})
    print(title)
    print("  lang " + "".join(f"{s[:13]:>14}" for s in styles) + f"{'all':>14}")
    for language, cells in {**rows, "all": every_language(rows)}.items():
        line = "".join(_cell(cells[s]) if s in cells else f" {'-':>13}" for s in styles)
        print(f"  {language:4s} {line}{_cell(total(cells))}")
