"""Reading YAML and spreadsheet files into plain records that remember where they came from.

Safe loading only: a :class:`yaml.SafeLoader` subclass whose one addition is that every
mapping remembers the line of each of its keys, so that a later validation error can name
``evidence/S42.yaml:14``. Nothing here writes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from bayesnet.errors import FileFormatError

__all__ = ["LineDict", "read_rows", "read_text", "read_yaml"]


class LineDict(dict[str, Any]):
    """A dict that knows the 1-based line of itself and of each key.

    Attributes
    ----------
    line : int
        Line where the mapping starts.
    key_lines : dict
        Key -> line of that key.
    """

    line: int
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        """Line of ``key`` if present, else the mapping's own line."""
        return self.key_lines.get(key, self.line)


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that builds :class:`LineDict` mappings and refuses duplicate keys."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in result:
            raise yaml.constructor.ConstructorError(
                "while constructing a mapping",
                node.start_mark,
                f"found duplicate key {key!r}",
                key_node.start_mark,
            )
        result[key] = loader.construct_object(value_node, deep=True)
        result.key_lines[str(key)] = key_node.start_mark.line + 1
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def read_text(path: str | Path) -> str:
    """Read a whole file as UTF-8, naming the line of the first bad byte.

    Raises
    ------
    FileFormatError
        If the file is missing, not UTF-8, or empty.
    """
    p = Path(path)
    try:
        raw = p.read_bytes()
    except FileNotFoundError as err:
        raise FileFormatError("file not found", path=str(p)) from err
    except IsADirectoryError as err:
        raise FileFormatError("is a directory, expected a file", path=str(p)) from err
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line = raw[: err.start].count(b"\n") + 1
        raise FileFormatError(
            f"not UTF-8: byte {raw[err.start]:#04x} at offset {err.start}; save the file as UTF-8",
            path=str(p),
            line=line,
            value=raw[err.start : err.start + 1],
        ) from err
    if not text.strip():
        raise FileFormatError("the file is empty", path=str(p))
    return text.removeprefix("\ufeff")


def read_yaml(path: str | Path) -> Any:
    """Parse one YAML document safely, with line-aware mappings.

    Raises
    ------
    FileFormatError
        Empty, not UTF-8, or malformed YAML (with the line and column).
    """
    text = read_text(path)
    try:
        data = yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader
    except yaml.MarkedYAMLError as err:
        mark = err.problem_mark or err.context_mark
        line = mark.line + 1 if mark is not None else None
        col = f", column {mark.column + 1}" if mark is not None else ""
        problem = err.problem or err.context or "malformed YAML"
        raise FileFormatError(
            f"malformed YAML{col}: {problem}", path=str(path), line=line
        ) from err
    except yaml.YAMLError as err:
        raise FileFormatError(f"malformed YAML: {err}", path=str(path)) from err
    if data is None:
        raise FileFormatError("the file is empty", path=str(path))
    return data


def read_rows(path: str | Path) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(row_number, row)`` from a CSV or XLSX data-extraction sheet.

    Row numbers are as a spreadsheet shows them: the header is row 1. Cells are strings,
    stripped; empty cells are ``""``. Fully empty rows are skipped.

    Raises
    ------
    FileFormatError
        Unknown extension, empty file, not UTF-8, or an unreadable workbook.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        text = read_text(p)
        reader = csv.reader(io.StringIO(text))
        yield from _rows_from_iter(p, reader)
    elif suffix in {".xlsx", ".xlsm"}:
        yield from _rows_from_iter(p, _xlsx_rows(p))
    else:
        raise FileFormatError(
            f"unknown file type {suffix!r}: expected .yaml, .yml, .csv or .xlsx", path=str(p)
        )


def _xlsx_rows(p: Path) -> Iterator[list[str]]:
    import zipfile

    import openpyxl

    if not p.exists():
        raise FileFormatError("file not found", path=str(p))
    if p.stat().st_size == 0:
        raise FileFormatError("the file is empty", path=str(p))
    try:
        wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as err:
        raise FileFormatError(f"not a readable XLSX workbook: {err}", path=str(p)) from err
    try:
        ws = wb.worksheets[0]
        for row in ws.iter_rows(values_only=True):
            yield ["" if v is None else str(v) for v in row]
    finally:
        wb.close()


def _rows_from_iter(p: Path, rows: Any) -> Iterator[tuple[int, dict[str, str]]]:
    header: list[str] | None = None
    seen_data = False
    for number, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        if header is None:
            if not any(cells):
                raise FileFormatError("the first row must be the column header", path=str(p), line=1)
            header = [c.strip().lower() for c in cells]
            dup = sorted({c for c in header if c and header.count(c) > 1})
            if dup:
                raise FileFormatError(
                    f"duplicate column {dup[0]!r} in the header", path=str(p), line=1, value=dup[0]
                )
            continue
        if not any(cells):
            continue
        if len(cells) > len(header) and any(cells[len(header) :]):
            raise FileFormatError(
                f"row has {len(cells)} cells but the header has {len(header)} columns",
                path=str(p),
                line=number,
            )
        seen_data = True
        yield number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}
    if header is None:
        raise FileFormatError("the file is empty", path=str(p))
    if not seen_data:
        raise FileFormatError("the sheet has a header but no rows", path=str(p), line=1)
