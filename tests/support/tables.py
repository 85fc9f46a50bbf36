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


def print_table(title: str, rows: dict[str, dict[str, Cell]]) -> None:
    styles = sorted({style for cells in rows.values() for style in cells})
    print(title)
    print("  lang " + "".join(f"{s[:13]:>14}" for s in styles) + f"{'all':>14}")
    for language, cells in rows.items():
        line = "".join(
            f"{f'{cells[s].rate:.2f} {cells[s].passed}/{cells[s].total}':>14}" if s in cells else f"{'-':>14}"
            for s in styles
        )
        everything = total(cells)
        print(f"  {language:4s} {line}{f'{everything.rate:.2f} {everything.passed}/{everything.total}':>14}")
