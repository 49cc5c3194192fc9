"""Reading a model folder (``priors/`` and ``evidence/``) from disk. Never writes.

A model folder holds::

    priors/codebook.yaml        the nodes            (bayesnet.inputs.codebook)
    priors/settings.yaml        the constants        (bayesnet.inputs.settings)
    priors/scenarios.yaml       collaboration types  (bayesnet.inputs.scenarios)
    priors/review_summary.yaml  review-level facts   (optional)
    evidence/*.yaml|*.csv|*.xlsx  coded sources      (bayesnet.inputs.evidence)

The embedded default model ships inside the wheel as ``bayesnet/data``; in a source
checkout it is read from the top-level ``priors/`` and ``evidence/``.

Only files inside the model folder are read: before anything is read, every path is
checked (:mod:`bayesnet.inputs.limits`), and a symbolic link leading out of the folder, a
named pipe, a device, a directory where a file belongs (or a file where a folder belongs),
or a file above :data:`~bayesnet.inputs.limits.MAX_FILE_BYTES` is refused with its name.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

from bayesnet.errors import FileFormatError, SchemaError
from bayesnet.inputs.codebook import Codebook, codebook_from_mapping
from bayesnet.inputs.evidence import Evidence, Source, source_from_mapping, sources_from_rows
from bayesnet.inputs.limits import check_inside, check_regular
from bayesnet.inputs.problems import Problems
from bayesnet.inputs.scenarios import Scenarios, scenarios_from_mapping
from bayesnet.inputs.settings import Settings, settings_from_mapping
from bayesnet.inputs.yamlio import read_rows, read_yaml

__all__ = [
    "EVIDENCE_SUFFIXES",
    "ModelFiles",
    "default_model_dir",
    "evidence_files",
    "read_codebook",
    "read_evidence",
    "read_model_files",
    "read_scenarios",
    "read_settings",
    "read_source_file",
]

EVIDENCE_SUFFIXES = (".yaml", ".yml", ".csv", ".xlsx")


def default_model_dir() -> Path:
    """Folder of the embedded default model (holding ``priors/`` and ``evidence/``)."""
    packaged = Path(str(resources.files("bayesnet"))) / "data"
    if (packaged / "priors" / "codebook.yaml").is_file():
        return packaged
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / "priors" / "codebook.yaml").is_file():
        return checkout
    raise FileFormatError(
        "the embedded default model is missing: neither bayesnet/data/priors nor a checkout's "
        "priors/ holds codebook.yaml; reinstall the package",
        path=str(packaged),
    )


def is_embedded(folder: str | Path) -> bool:
    """True when ``folder`` is the embedded default model (in the package, or a checkout's)."""
    here = Path(folder).resolve()
    packaged = (Path(str(resources.files("bayesnet"))) / "data").resolve()
    if here == packaged:
        return True
    try:
        return here == default_model_dir().resolve()
    except FileFormatError:
        return False


def read_codebook(path: str | Path, *, root: str | Path | None = None) -> Codebook:
    """Read and validate ``codebook.yaml`` (``root``: the model folder it must lie in)."""
    return codebook_from_mapping(read_yaml(path, root=root), str(path))


def read_settings(path: str | Path, *, root: str | Path | None = None) -> Settings:
    """Read and validate ``settings.yaml`` (``root``: the model folder it must lie in)."""
    return settings_from_mapping(read_yaml(path, root=root), str(path))


def read_scenarios(path: str | Path, codebook: Codebook, *, root: str | Path | None = None) -> Scenarios:
    """Read and validate ``scenarios.yaml`` against ``codebook`` (``root``: the model folder)."""
    return scenarios_from_mapping(read_yaml(path, root=root), str(path), codebook)


def read_source_file(path: str | Path, codebook: Codebook, *, root: str | Path | None = None) -> list[Source]:
    """Read the sources of one evidence file: one per YAML file, any number per sheet.

    Parameters
    ----------
    path : path
    codebook : Codebook
    root : path, optional
        The model folder the file belongs to: a symbolic link out of it is refused.

    Raises
    ------
    FileFormatError
        Unknown extension, not a regular file, too large, empty, not UTF-8, malformed.
    SchemaError, UnknownNodeError, UnknownStateError
        A bad record, located by file, line or row, and field.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in {".yaml", ".yml"}:
        return [source_from_mapping(read_yaml(p, root=root), str(p), codebook)]
    if suffix in {".csv", ".xlsx"}:
        log = Problems()  # bad rows are kept and skipped, so every row is checked
        sources = log.check(lambda: sources_from_rows(read_rows(p, root=root, problems=log), str(p), codebook))
        log.raise_any()
        assert sources is not None
        return sources
    raise FileFormatError(
        f"unknown evidence file type {suffix!r}: expected one of {', '.join(EVIDENCE_SUFFIXES)}",
        path=str(p),
    )


def evidence_files(paths: Iterable[str | Path], *, root: str | Path | None = None) -> list[Path]:
    """Expand folders into their evidence files (sorted); keep files as given.

    Every file is checked before anything is read (:func:`~bayesnet.inputs.limits.check_regular`):
    a directory, named pipe or device named like an evidence file, a file above the size
    limit, or (with ``root``, the model folder) a symbolic link out of the folder is refused.
    """
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            if root is not None:
                check_inside(p, Path(root))
            out.extend(
                sorted(f for f in p.iterdir() if f.suffix.lower() in EVIDENCE_SUFFIXES and not f.name.startswith("."))
            )
        else:
            out.append(p)
    for f in out:
        check_regular(f, root=root)
    return out


def read_evidence(paths: Iterable[str | Path], codebook: Codebook, *, root: str | Path | None = None) -> Evidence:
    """Read every evidence file under ``paths`` into one :class:`Evidence`.

    The result does not depend on the order of ``paths`` (sources are held sorted).

    Every file is read and checked; the first error is raised carrying every error of every
    file (see :mod:`bayesnet.inputs.problems`).

    Raises
    ------
    InputError
        A bad record, located; ``errors`` holds every one found.
    DuplicateIdError
        The same source id in two files (or twice in a sheet).
    """
    log = Problems()
    sources: list[Source] = []
    for f in evidence_files(paths, root=root):
        sources.extend(log.check(read_source_file, f, codebook, root=root) or [])
    log.raise_any()
    return Evidence(sources)


@dataclass(frozen=True)
class ModelFiles:
    """Everything read from one model folder, validated, before any CPT is built."""

    root: Path
    codebook: Codebook
    settings: Settings
    scenarios: Scenarios
    evidence: Evidence
    review_summary: dict[str, Any]


def _require(path: Path) -> Path:
    if path.is_dir():
        raise FileFormatError("is a directory, expected a file", path=str(path))
    if not path.exists() and not path.is_symlink():
        raise FileFormatError(
            f"missing {path.name}: a model folder holds priors/codebook.yaml, priors/settings.yaml, "
            "priors/scenarios.yaml and evidence/ (make one with 'bayesnet init DIR')",
            path=str(path),
        )
    return path


def read_model_files(root: str | Path | None = None) -> ModelFiles:
    """Read and validate a whole model folder (default: the embedded model).

    Every file is read and checked (the evidence only once the codebook is valid: it is
    checked against it); the first error is raised carrying every error found (see
    :mod:`bayesnet.inputs.problems`).

    Raises
    ------
    InputError
        Any problem in any file, located precisely; ``errors`` holds every one found.
        Nothing is written.
    """
    base = Path(root) if root is not None else default_model_dir()
    if base.exists() and not base.is_dir():
        raise FileFormatError("is a file, expected a model folder (holding priors/ and evidence/)", path=str(base))
    if not base.is_dir():
        raise FileFormatError("model folder not found", path=str(base))
    priors = base / "priors"
    evidence_dir = base / "evidence"
    for folder in (priors, evidence_dir):
        if folder.exists() and not folder.is_dir():
            raise FileFormatError(f"is a file, expected the folder {folder.name}/ of a model", path=str(folder))
        check_inside(folder, base)
    # every path is checked before any file is read
    codebook_path, settings_path, scenarios_path = (
        _require(priors / name) for name in ("codebook.yaml", "settings.yaml", "scenarios.yaml"))
    for path in (codebook_path, settings_path, scenarios_path):
        check_regular(path, root=base)
    if not evidence_dir.is_dir():
        raise FileFormatError("missing evidence/ folder", path=str(evidence_dir))
    files = evidence_files([evidence_dir], root=base)
    summary_path = priors / "review_summary.yaml"
    has_summary = summary_path.exists() or summary_path.is_symlink()
    if has_summary:
        check_regular(summary_path, root=base)
    log = Problems()
    codebook = log.check(lambda: read_codebook(codebook_path, root=base))
    settings = log.check(lambda: read_settings(settings_path, root=base))
    summary: dict[str, Any] = {}
    if has_summary:
        data = log.check(lambda: read_yaml(summary_path, root=base))
        if data is not None and not isinstance(data, dict):
            log.add(SchemaError("expected a mapping", path=str(summary_path), line=1))
        summary = dict(data) if isinstance(data, dict) else {}
    if codebook is None:  # the rest is checked against the codebook
        log.raise_any()
    assert codebook is not None
    scenarios = log.check(lambda: read_scenarios(scenarios_path, codebook, root=base))
    sources: list[Source] = []
    for f in files:
        sources.extend(log.check(read_source_file, f, codebook, root=base) or [])
    evidence = log.check(lambda: Evidence(sources))
    log.raise_any()
    assert settings is not None and scenarios is not None and evidence is not None
    return ModelFiles(base, codebook, settings, scenarios, evidence, summary)


def iter_model_texts(root: Path) -> Iterator[Path]:
    """Every file of a model folder that holds data (for hashing and copying)."""
    for sub in ("priors", "evidence"):
        folder = root / sub
        if folder.is_dir():
            yield from sorted(p for p in folder.rglob("*") if p.is_file())
