"""Reading a model folder (``priors/`` and ``evidence/``) from disk. Never writes.

A model folder holds::

    priors/codebook.yaml        the nodes            (bayesnet.inputs.codebook)
    priors/settings.yaml        the constants        (bayesnet.inputs.settings)
    priors/scenarios.yaml       collaboration types  (bayesnet.inputs.scenarios)
    priors/review_summary.yaml  review-level facts   (optional)
    evidence/*.yaml|*.csv|*.xlsx  coded sources      (bayesnet.inputs.evidence)

The embedded default model ships inside the wheel as ``bayesnet/data``; in a source
checkout it is read from the top-level ``priors/`` and ``evidence/``.
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


def read_codebook(path: str | Path) -> Codebook:
    """Read and validate ``codebook.yaml``."""
    return codebook_from_mapping(read_yaml(path), str(path))


def read_settings(path: str | Path) -> Settings:
    """Read and validate ``settings.yaml``."""
    return settings_from_mapping(read_yaml(path), str(path))


def read_scenarios(path: str | Path, codebook: Codebook) -> Scenarios:
    """Read and validate ``scenarios.yaml`` against ``codebook``."""
    return scenarios_from_mapping(read_yaml(path), str(path), codebook)


def read_source_file(path: str | Path, codebook: Codebook) -> list[Source]:
    """Read the sources of one evidence file: one per YAML file, any number per sheet.

    Raises
    ------
    FileFormatError
        Unknown extension, empty, not UTF-8, malformed.
    SchemaError, UnknownNodeError, UnknownStateError
        A bad record, located by file, line or row, and field.
    """
    p = Path(path)
    suffix = p.suffix.lower()
    if suffix in {".yaml", ".yml"}:
        return [source_from_mapping(read_yaml(p), str(p), codebook)]
    if suffix in {".csv", ".xlsx"}:
        return sources_from_rows(read_rows(p), str(p), codebook)
    raise FileFormatError(
        f"unknown evidence file type {suffix!r}: expected one of {', '.join(EVIDENCE_SUFFIXES)}",
        path=str(p),
    )


def evidence_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand folders into their evidence files (sorted); keep files as given."""
    out: list[Path] = []
    for raw in paths:
        p = Path(raw)
        if p.is_dir():
            out.extend(
                sorted(f for f in p.iterdir() if f.suffix.lower() in EVIDENCE_SUFFIXES and not f.name.startswith("."))
            )
        else:
            out.append(p)
    return out


def read_evidence(paths: Iterable[str | Path], codebook: Codebook) -> Evidence:
    """Read every evidence file under ``paths`` into one :class:`Evidence`.

    The result does not depend on the order of ``paths`` (sources are held sorted).

    Raises
    ------
    DuplicateIdError
        The same source id in two files (or twice in a sheet).
    """
    sources: list[Source] = []
    for f in evidence_files(paths):
        sources.extend(read_source_file(f, codebook))
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
    if not path.is_file():
        raise FileFormatError(
            f"missing {path.name}: a model folder holds priors/codebook.yaml, priors/settings.yaml, "
            "priors/scenarios.yaml and evidence/ (make one with 'bayesnet init DIR')",
            path=str(path),
        )
    return path


def read_model_files(root: str | Path | None = None) -> ModelFiles:
    """Read and validate a whole model folder (default: the embedded model).

    Raises
    ------
    InputError
        Any problem in any file, located precisely. Nothing is written.
    """
    base = Path(root) if root is not None else default_model_dir()
    if not base.is_dir():
        raise FileFormatError("model folder not found", path=str(base))
    priors = base / "priors"
    codebook = read_codebook(_require(priors / "codebook.yaml"))
    settings = read_settings(_require(priors / "settings.yaml"))
    scenarios = read_scenarios(_require(priors / "scenarios.yaml"), codebook)
    evidence_dir = base / "evidence"
    if not evidence_dir.is_dir():
        raise FileFormatError("missing evidence/ folder", path=str(evidence_dir))
    evidence = read_evidence([evidence_dir], codebook)
    summary_path = priors / "review_summary.yaml"
    summary: dict[str, Any] = {}
    if summary_path.is_file():
        data = read_yaml(summary_path)
        if not isinstance(data, dict):
            raise SchemaError("expected a mapping", path=str(summary_path), line=1)
        summary = dict(data)
    return ModelFiles(base, codebook, settings, scenarios, evidence, summary)


def iter_model_texts(root: Path) -> Iterator[Path]:
    """Every file of a model folder that holds data (for hashing and copying)."""
    for sub in ("priors", "evidence"):
        folder = root / sub
        if folder.is_dir():
            yield from sorted(p for p in folder.rglob("*") if p.is_file())
