"""CSV tables for the command line, read with the standard library (no pandas needed).

A table has one header row of column names, then one row per sample. Feature cells must be
numbers; the target column may hold numbers or class names. Every problem raises ``CSVError``
with a one-line message naming the file, the line and the column.

A cell is missing when it is empty (or only spaces); in a column of numbers the markers in
``NUMBER_MISSING_MARKERS`` are missing too, while in a column of names they are ordinary names.
"""
from __future__ import annotations

import csv
import math
import os
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .typing import Float64Array, PathLike

NUMBER_MISSING_MARKERS = ("NA", "N/A", "NaN", "null", "?")  # matched ignoring case
_MARKERS = {marker.lower() for marker in NUMBER_MISSING_MARKERS}


class CSVError(ValueError):
    """A table that cannot be used; the message is one line meant for the user."""


@dataclass
class Table:
    """A CSV file's header and rows, as stripped strings."""

    columns: list[str]
    rows: list[list[str]]  # all len(columns)
    path: str
    lines: list[int]  # the file's line number where each row starts (blank lines are skipped)

    def column_index(self, name: str) -> int:
        if name not in self.columns:
            raise CSVError(f"{self.path}: no column {name!r} (columns: {', '.join(self.columns)})")
        return self.columns.index(name)

    def where(self, row: int, name: str) -> str:
        """"data.csv: line 7, column 'age'": how every message points at one cell."""
        return f"{self.path}: line {self.lines[row]}, column {name!r}"

    def numeric(self, names: Sequence[str]) -> Float64Array:
        """The named columns as a float64 matrix; every cell must be a finite number."""
        indices = [self.column_index(name) for name in names]
        out = np.empty((len(self.rows), len(indices)), dtype=np.float64)
        for r, row in enumerate(self.rows):
            for c, i in enumerate(indices):
                out[r, c] = self._number(r, i)
        return out

    def strings(self, name: str) -> list[str]:
        """The named column's cells; none may be empty."""
        i = self.column_index(name)
        for r, row in enumerate(self.rows):
            if is_missing(row[i], numbers=False):
                raise CSVError(f"{self.where(r, name)}: missing value")
        return [row[i] for row in self.rows]

    def holds_numbers(self, name: str) -> bool:
        """Whether every present cell of the column is a number (so markers like NA are gaps)."""
        i = self.column_index(name)
        return all(is_missing(row[i], numbers=True) or _is_number(row[i]) for row in self.rows)

    def missing_cells(self, number_columns: Iterable[str],
                      name_columns: Iterable[str] = ()) -> list[tuple[int, str]]:
        """(row index, column name) of the leftmost missing cell of each row that has one."""
        checks = sorted([(self.column_index(name), name, True) for name in number_columns] +
                        [(self.column_index(name), name, False) for name in name_columns])
        found = []
        for r, row in enumerate(self.rows):
            for i, name, numbers in checks:
                if is_missing(row[i], numbers):
                    found.append((r, name))
                    break
        return found

    def without_rows(self, indices: Iterable[int]) -> Table:
        drop = set(indices)
        keep = [r for r in range(len(self.rows)) if r not in drop]
        return Table(self.columns, [self.rows[r] for r in keep], self.path,
                     [self.lines[r] for r in keep])

    def _number(self, row: int, i: int) -> float:
        cell, name = self.rows[row][i], self.columns[i]
        if is_missing(cell, numbers=True):
            raise CSVError(f"{self.where(row, name)}: missing value")
        try:
            value = float(cell)
        except ValueError:
            shown = cell if len(cell) <= 30 else cell[:27] + "..."
            raise CSVError(f"{self.where(row, name)}: {shown!r} is not a number") from None
        if not math.isfinite(value):
            raise CSVError(f"{self.where(row, name)}: {cell!r} is not a finite number")
        return value


def is_missing(cell: str, numbers: bool) -> bool:
    """An empty cell; in a column of numbers (``numbers`` true) also a NUMBER_MISSING_MARKERS."""
    cell = cell.strip()
    return not cell or (numbers and cell.lower() in _MARKERS)


def read_table(path: PathLike) -> Table:
    """The table in the CSV file at ``path``; CSVError for anything that is not a table."""
    path = os.fspath(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            lines = _records(csv.reader(f))
    except FileNotFoundError:
        raise CSVError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CSVError(f"{path}: is a directory, not a CSV file") from None
    except UnicodeDecodeError:
        raise CSVError(f"{path}: not a UTF-8 text file") from None
    except csv.Error as error:
        raise CSVError(f"{path}: unreadable CSV ({error})") from None
    # Blank lines carry nothing; the rest keep their own line numbers for messages.
    lines = [(number, row) for number, row in lines if any(cell.strip() for cell in row)]
    if not lines:
        raise CSVError(f"{path}: the file is empty")
    columns = [cell.strip() for cell in lines[0][1]]
    if any(not name for name in columns):
        raise CSVError(f"{path}: the header row has an empty column name")
    if len(set(columns)) != len(columns):
        raise CSVError(f"{path}: the header row repeats a column name")
    for number, row in lines[1:]:
        if len(row) != len(columns):
            raise CSVError(f"{path}: line {number} has {len(row)} cells, the header has "
                           f"{len(columns)}")
    if len(lines) < 2:
        raise CSVError(f"{path}: no data rows after the header")
    return Table(columns, [[cell.strip() for cell in row] for _, row in lines[1:]], path,
                 [number for number, _ in lines[1:]])


def _records(reader: Any) -> list[tuple[int, list[str]]]:
    """(line number where it starts, cells) of each record; a quoted cell may span lines."""
    records, start = [], 1
    for row in reader:
        records.append((start, row))
        start = reader.line_num + 1
    return records


def write_table(path: PathLike | None, columns: Sequence[str],
                rows: Iterable[Sequence[Any]]) -> None:
    """Rows of values; ``path`` None or "-" writes to standard output."""
    import sys

    if path in (None, "-"):
        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)
        return
    with open(path, "w", newline="", encoding="utf-8") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(columns)
        writer.writerows(rows)


def _is_number(cell: str) -> bool:
    try:
        float(cell)
    except ValueError:
        return False
    return True
