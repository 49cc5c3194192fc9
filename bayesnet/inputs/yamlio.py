"""Reading YAML and spreadsheet files into plain records that remember where they came from.

Safe loading only: a :class:`yaml.SafeLoader` subclass whose additions are that every
mapping remembers the line of each of its keys (so that a later validation error can name
``evidence/S42.yaml:14``) and the words of its YAML booleans (so that ``yes`` is shown as
``yes``, not ``True``), and that it refuses documents nested deeper than
:data:`~bayesnet.inputs.limits.MAX_YAML_DEPTH` or holding more than
:data:`~bayesnet.inputs.limits.MAX_YAML_NODES` values once aliases are expanded (a
"billion laughs" file), before building them. A document without aliases (every model
file we know of) is read by libyaml (``yaml.CSafeLoader``) after a scan of its events checks
the depth and the number of values (libyaml's parser keeps its own stack, so the scan cannot
overflow; its composer recurses, so the scan comes first): 34 ms instead of 167 ms for the
default model's files, the largest share of a CLI command's start-up. A document with aliases,
or a PyYAML without libyaml, takes the pure-Python loader, which counts expanded sizes while
composing. Every file is opened through
:func:`~bayesnet.inputs.limits.read_input_bytes` (regular files only, bounded size, inside
the model folder). Nothing here writes.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import yaml

from bayesnet.errors import FileFormatError
from bayesnet.inputs.limits import (
    MAX_CELL_CHARS,
    MAX_UNZIPPED_BYTES,
    MAX_YAML_DEPTH,
    MAX_YAML_NODES,
    read_input_bytes,
)
from bayesnet.inputs.problems import Problems

__all__ = ["LineDict", "read_rows", "read_text", "read_yaml"]

_BOOL_TAG = "tag:yaml.org,2002:bool"


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
    words: dict[str, str]

    def line_of(self, key: str) -> int:
        """Line of ``key`` if present, else the mapping's own line."""
        return self.key_lines.get(key, self.line)

    def word_of(self, key: str) -> str | None:
        """The text of ``key``'s value as written, when YAML read it as a boolean (``yes``)."""
        return getattr(self, "words", {}).get(key)


class _LimitError(yaml.MarkedYAMLError):
    """A document beyond a bound of :mod:`bayesnet.inputs.limits` (not malformed)."""


class _LineLoader(yaml.SafeLoader):
    """SafeLoader that builds :class:`LineDict` mappings, refuses duplicate keys, and counts
    nesting depth and expanded size while composing, so a bomb is refused before it is built."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        self._sizes: dict[int, int] = {}  # id(node) -> values it holds with aliases expanded

    def compose_node(self, parent: Any, index: Any) -> Any:
        mark = self.peek_event().start_mark
        if self.check_event(yaml.AliasEvent):
            node = super().compose_node(parent, index)
            if id(node) not in self._sizes:
                raise _LimitError(None, None, "an alias refers to the collection it is inside (a recursive "
                                  "structure); bayesnet reads only finite trees", mark)
            return node
        self._depth += 1
        try:
            if self._depth > MAX_YAML_DEPTH:
                raise _LimitError(None, None, f"mappings and lists nested deeper than {MAX_YAML_DEPTH} levels "
                                  "(MAX_YAML_DEPTH)", mark)
            node = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        if isinstance(node, yaml.SequenceNode):
            size = 1 + sum(self._sizes[id(item)] for item in node.value)
        elif isinstance(node, yaml.MappingNode):
            size = 1 + sum(self._sizes[id(k)] + self._sizes[id(v)] for k, v in node.value)
        else:
            size = 1
        if size > MAX_YAML_NODES:
            raise _LimitError(None, None, f"the document holds more than {MAX_YAML_NODES:,} values once its "
                              "aliases (*name) are expanded (MAX_YAML_NODES); write the values out or split "
                              "the file", mark)
        self._sizes[id(node)] = size
        return node


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode) -> LineDict:
    loader.flatten_mapping(node)
    result = LineDict()
    result.line = node.start_mark.line + 1
    result.key_lines = {}
    result.words = {}
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
        if isinstance(value_node, yaml.ScalarNode) and value_node.tag == _BOOL_TAG:
            result.words[str(key)] = value_node.value
    return result


_LineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)

_CLoader: Any = None
if getattr(yaml, "__with_libyaml__", False):

    class _CLineLoader(yaml.CSafeLoader):
        """libyaml's parser and composer with :func:`_construct_mapping` (Python) building the
        mappings; only for documents :func:`_plain_within_bounds` has scanned."""

    _CLineLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)
    _CLoader = _CLineLoader


def _plain_within_bounds(text: str) -> bool:
    """Scan the document's events with libyaml: False if it has an alias (the pure-Python
    loader then counts its expanded size), a :class:`_LimitError` beyond the depth or the
    number of values, else True."""
    depth = values = 0
    for event in yaml.parse(text, Loader=_CLoader):
        mark: Any = event.start_mark  # libyaml's Mark: .line as the pure-Python one
        if isinstance(event, yaml.AliasEvent):
            return False
        if isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            depth += 1
            values += 1
            if depth > MAX_YAML_DEPTH:
                raise _LimitError(None, None, f"mappings and lists nested deeper than {MAX_YAML_DEPTH} levels "
                                  "(MAX_YAML_DEPTH)", mark)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            depth -= 1
        elif isinstance(event, yaml.ScalarEvent):
            values += 1
        if values > MAX_YAML_NODES:
            raise _LimitError(None, None, f"the document holds more than {MAX_YAML_NODES:,} values "
                              "(MAX_YAML_NODES); split the file", mark)
    return True


def _load(text: str) -> Any:
    """The document, by libyaml when its scan passes; otherwise (an alias, or anything libyaml
    finds wrong) by the pure-Python loader, whose errors are the ones users are shown."""
    if _CLoader is not None:
        try:
            plain = _plain_within_bounds(text)
        except _LimitError:
            raise
        except yaml.YAMLError:
            plain = False
        if plain:
            return yaml.load(text, Loader=_CLoader)  # noqa: S506 - _CLineLoader is a CSafeLoader
    return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - _LineLoader is a SafeLoader


def read_text(path: str | Path, *, root: str | Path | None = None) -> str:
    """Read a whole file as UTF-8, naming the line of the first bad byte.

    Parameters
    ----------
    path : path
    root : path, optional
        The model folder the file belongs to (a symbolic link out of it is refused).

    Raises
    ------
    FileFormatError
        If the file is missing, not a regular file, too large, not UTF-8, or empty.
    """
    p = Path(path)
    raw = read_input_bytes(p, root=root)
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


def read_yaml(path: str | Path, *, root: str | Path | None = None) -> Any:
    """Parse one YAML document safely, with line-aware mappings.

    Raises
    ------
    FileFormatError
        Empty, not UTF-8, malformed YAML (with the line and column), or beyond a bound of
        :mod:`bayesnet.inputs.limits` (nesting depth, values after alias expansion).
    """
    text = read_text(path, root=root)
    try:
        data = _load(text)
    except _LimitError as err:
        mark = err.problem_mark
        raise FileFormatError(
            str(err.problem), path=str(path), line=mark.line + 1 if mark is not None else None
        ) from err
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


def read_rows(
    path: str | Path, *, root: str | Path | None = None, problems: Problems | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    """Yield ``(row_number, row)`` from a CSV or XLSX data-extraction sheet.

    Row numbers are as a spreadsheet shows them: the header is row 1. Cells are strings,
    stripped; empty cells are ``""``. Fully empty rows are skipped. With ``problems``, a
    bad row (a cell too long, more cells than the header) is kept there and skipped, so the
    rows after it are still read; without, it is raised.

    Raises
    ------
    FileFormatError
        Unknown extension, empty file, not UTF-8, an unreadable workbook; a CSV that is
        not comma-separated, or whose quote is never closed (or closes only rows later, so
        one cell swallowed rows); a merged cell, a formula without a saved value, data
        on another sheet than the first; a cell above
        :data:`~bayesnet.inputs.limits.MAX_CELL_CHARS` characters.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix == ".csv":
        text = read_text(p, root=root)
        yield from _rows_from_iter(p, _csv_rows(p, text), csv_file=True, problems=problems)
    elif suffix in {".xlsx", ".xlsm"}:
        yield from _rows_from_iter(p, _xlsx_rows(p, root), problems=problems)
    else:
        raise FileFormatError(
            f"unknown file type {suffix!r}: expected .yaml, .yml, .csv or .xlsx", path=str(p)
        )


def _csv_rows(p: Path, text: str) -> Iterator[list[str]]:
    """CSV records, refusing what the csv module would silently accept or crash on."""
    reader = csv.reader(io.StringIO(text), strict=True)
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as err:
            reason = str(err)
            if "field larger than field limit" in reason:
                raise FileFormatError(
                    f"a cell is longer than {MAX_CELL_CHARS:,} characters (MAX_CELL_CHARS)", path=str(p), line=start
                ) from err
            if "unexpected end of data" in reason:
                raise FileFormatError(
                    'a quoted cell that starts in this row is never closed (a " is missing), so the rest of the '
                    "file would be read as one cell; close the quote",
                    path=str(p),
                    line=start,
                ) from err
            raise FileFormatError(f"malformed CSV: {reason}", path=str(p), line=reader.line_num) from err
        if reader.line_num > start:
            raise FileFormatError(
                f'a quoted cell runs from line {start} to line {reader.line_num}: a " opened in this row closes only '
                "on a later line, so the rows between were read as part of one cell; close the quote in its own "
                "row (a CSV sheet cannot hold a line break inside a cell: use XLSX or YAML for text over several "
                "lines)",
                path=str(p),
                line=start,
            )
        yield row


def _xlsx_rows(p: Path, root: str | Path | None) -> Iterator[list[str]]:
    import zipfile

    import openpyxl
    from openpyxl.utils import get_column_letter

    data = read_input_bytes(p, root=root)
    if not data:
        raise FileFormatError("the file is empty", path=str(p))
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            unzipped = sum(info.file_size for info in archive.infolist())
        if unzipped > MAX_UNZIPPED_BYTES:
            raise FileFormatError(
                f"the workbook unpacks to {unzipped:,} bytes, above the limit of {MAX_UNZIPPED_BYTES:,} "
                "(MAX_UNZIPPED_BYTES)",
                path=str(p),
            )
        values = openpyxl.load_workbook(io.BytesIO(data), data_only=True)
        formulas = openpyxl.load_workbook(io.BytesIO(data), data_only=False)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError, TypeError, EOFError) as err:
        raise FileFormatError(f"not a readable XLSX workbook: {err}", path=str(p)) from err
    try:
        ws = values.worksheets[0]
        rows = [["" if v is None else str(v) for v in row] for row in ws.iter_rows(values_only=True)]
        merged_ranges = sorted(ws.merged_cells.ranges, key=lambda r: (r.min_row, r.min_col))
        if merged_ranges:
            merged = merged_ranges[0]
            raise FileFormatError(
                f"cells {merged.coord} are merged; every row must hold its own values: unmerge them and fill the "
                "value into each row",
                path=str(p),
                line=merged.min_row,
            )
        for row in formulas.worksheets[0].iter_rows():
            for cell in row:
                if cell.data_type == "f" and ws.cell(cell.row, cell.column).value is None:
                    where = f"{get_column_letter(cell.column)}{cell.row}"
                    raise FileFormatError(
                        f"cell {where} holds a formula ({str(cell.value)[:60]}) without a saved value (the program "
                        "that wrote the workbook did not calculate it); open and save it in a spreadsheet program, "
                        "or paste the values instead of the formulas",
                        path=str(p),
                        line=cell.row,
                    )
        if not any(c.strip() for row in rows for c in row):
            others = [s.title for s in values.worksheets[1:] if any(
                v is not None and str(v).strip() for row in s.iter_rows(values_only=True) for v in row)]
            if others:
                raise FileFormatError(
                    f"the first sheet {ws.title!r} is empty and the data is on sheet {others[0]!r}; bayesnet reads "
                    "the first sheet only: move that sheet to the front",
                    path=str(p),
                )
    finally:
        values.close()
        formulas.close()
    yield from rows


def _rows_from_iter(
    p: Path, rows: Any, *, csv_file: bool = False, problems: Problems | None = None
) -> Iterator[tuple[int, dict[str, str]]]:
    def bad_row(err: FileFormatError) -> None:
        if problems is None or header is None:
            raise err
        problems.add(err)

    header: list[str] | None = None
    seen_data = False
    for number, row in enumerate(rows, start=1):
        cells = [c.strip() for c in row]
        long = [(i, c) for i, c in enumerate(cells) if len(c) > MAX_CELL_CHARS]
        if long:
            i, c = long[0]
            column = header[i] if header is not None and i < len(header) else f"column {i + 1}"
            bad_row(FileFormatError(
                f"a cell is {len(c):,} characters long, above the limit of {MAX_CELL_CHARS:,} (MAX_CELL_CHARS)",
                path=str(p), line=number, field=column,
            ))
            seen_data = True
            continue
        if header is None:
            if not any(cells):
                raise FileFormatError("the first row must be the column header", path=str(p), line=1)
            named = [c for c in cells if c]
            if csv_file and len(named) == 1:
                for sep, name in ((";", "semicolon"), ("\t", "tab")):
                    if sep in named[0]:
                        raise FileFormatError(
                            f"the header is one column {named[0][:60]!r}: the file looks {name}-separated "
                            f"({sep!r}); save it as comma-separated CSV (or as XLSX)",
                            path=str(p), line=1,
                        )
            header = [c.strip().lower() for c in cells]
            dup = sorted({c for c in header if c and header.count(c) > 1})
            if dup:
                raise FileFormatError(
                    f"duplicate column {dup[0]!r} in the header", path=str(p), line=1, value=dup[0]
                )
            continue
        if not any(cells):
            continue
        seen_data = True
        if len(cells) > len(header) and any(cells[len(header) :]):
            bad_row(FileFormatError(
                f"row has {len(cells)} cells but the header has {len(header)} columns",
                path=str(p),
                line=number,
            ))
            continue
        yield number, {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}
    if header is None:
        raise FileFormatError("the file is empty", path=str(p))
    if not seen_data:
        raise FileFormatError("the sheet has a header but no rows", path=str(p), line=1)
