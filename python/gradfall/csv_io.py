"""CSV tables for the command line, read with the standard library (no pandas needed).

A table has one header row of column names, then one row per sample. Feature cells must be
numbers; the target column may hold numbers or class names. Every problem raises ``CSVError``
with a one-line message naming the file, the line and the column.
"""
from __future__ import annotations

import csv
import math
import os
from dataclasses import dataclass

import numpy as np


class CSVError(ValueError):
    """A table that cannot be used; the message is one line meant for the user."""


@dataclass
class Table:
    columns: list
    rows: list  # list of lists of stripped strings, all len(columns)
    path: str

    def column_index(self, name) -> int:
        if name not in self.columns:
            raise CSVError(f"{self.path}: no column {name!r} (columns: {', '.join(self.columns)})")
        return self.columns.index(name)

    def numeric(self, names) -> np.ndarray:
        """The named columns as a float64 matrix; every cell must be a finite number."""
        indices = [self.column_index(name) for name in names]
        out = np.empty((len(self.rows), len(indices)), dtype=np.float64)
        for r, row in enumerate(self.rows):
            for c, i in enumerate(indices):
                out[r, c] = _number(row[i], self.path, r + 2, self.columns[i])
        return out

    def strings(self, name) -> list:
        i = self.column_index(name)
        return [row[i] for row in self.rows]


def read_table(path) -> Table:
    path = os.fspath(path)
    try:
        with open(path, newline="", encoding="utf-8-sig") as f:
            lines = [row for row in csv.reader(f)]
    except FileNotFoundError:
        raise CSVError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CSVError(f"{path}: is a directory, not a CSV file") from None
    except UnicodeDecodeError:
        raise CSVError(f"{path}: not a UTF-8 text file") from None
    except csv.Error as error:
        raise CSVError(f"{path}: unreadable CSV ({error})") from None
    lines = [row for row in lines if any(cell.strip() for cell in row)]  # blank lines carry nothing
    if not lines:
        raise CSVError(f"{path}: the file is empty")
    columns = [cell.strip() for cell in lines[0]]
    if any(not name for name in columns):
        raise CSVError(f"{path}: the header row has an empty column name")
    if len(set(columns)) != len(columns):
        raise CSVError(f"{path}: the header row repeats a column name")
    rows = []
    for number, row in enumerate(lines[1:], start=2):
        if len(row) != len(columns):
            raise CSVError(f"{path}: line {number} has {len(row)} cells, the header has "
                           f"{len(columns)}")
        rows.append([cell.strip() for cell in row])
    if not rows:
        raise CSVError(f"{path}: no data rows after the header")
    return Table(columns, rows, path)


def write_table(path, columns, rows) -> None:
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


def _number(cell, path, line, column) -> float:
    try:
        value = float(cell)
    except ValueError:
        shown = cell if len(cell) <= 30 else cell[:27] + "..."
        raise CSVError(f"{path}: line {line}, column {column!r}: {shown!r} is not a number") \
            from None
    if not math.isfinite(value):
        raise CSVError(f"{path}: line {line}, column {column!r}: {cell!r} is not a finite number")
    return value
