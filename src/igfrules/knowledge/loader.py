"""Loading a knowledge-base folder: read, validate, resolve every reference, compile.

Every problem in every file is collected before anything is raised, each with its file, line and
field path. A knowledge base that loads is internally consistent: every citation, trial, caution,
agent and class it names exists, and every condition is type-checked.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from ..documents.bounded_read import ReadError, read_limited
from ..documents.safe_yaml import read_document
from ..documents.strict_json import DocumentError
from ..engine.durable_engine import Engine, compile_rules
from ..errors import KnowledgeBaseError, Problem, field_path
from ..model.conditions import Condition, ConditionSyntaxError, parse_condition
from ..model.vocabulary import vocabulary
from .compat import upgrader
from .lines import with_line
from .models import Caution, Entry, Finding, Meta, Reference, Section, Trial
from .references import References

ENTRY_FOLDERS = ("rationales", "context")
TOP_FILES = ("knowledge-base.yaml", "references.yaml", "trials.yaml", "cautions.yaml", "coverage.yaml")
COMPILED_RULES = "compiled rules"  # the derived view holding engine.durable_engine.compile_rules
Model = TypeVar("Model", bound=BaseModel)
T = TypeVar("T")


@dataclass(frozen=True)
class KnowledgeBase:
    path: Path
    meta: Meta
    entries: dict[str, Entry]  # active and retired, by id
    trials: dict[str, Trial]
    cautions: dict[str, Caution]
    references: dict[str, Reference]
    coverage: tuple[Section, ...]
    conditions: dict[str, Condition]  # "entry:ID", "trial:NCT", "caution:ID" -> condition
    sha256: str
    files: dict[str, str] = field(default_factory=dict)  # entry id -> file, for messages
    cache: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)  # derived views

    @cached_property
    def engine(self) -> Engine:
        # The compiled rules are a derived view: the per-user cache keeps them beside the rest.
        return Engine(self.conditions, self.derived(COMPILED_RULES, lambda kb: compile_rules(kb.conditions)))

    def derived(self, name: str, build: Callable[[KnowledgeBase], T]) -> T:
        """A view built once from this knowledge base (the report builder, the catalog). Two
        threads racing here build equal views and keep the first: harmless."""
        found = self.cache.get(name)
        if found is None:
            found = self.cache.setdefault(name, build(self))
        return found  # type: ignore[no-any-return]

    @property
    def active_entries(self) -> list[Entry]:
        return [e for e in self.entries.values() if e.status == "active"]

    def findings_for(self, entry: Entry) -> tuple[Finding, ...]:
        """An entry's findings, then the results of every trial it names: a strategy is never shown
        without the news that it was tried and failed. A result the entry repeats is shown once."""
        results = (r for nct in entry.trials for r in self.trials[nct].results)
        return entry.findings + tuple(r for r in results if r not in entry.findings)

    def cautions_for(self, entry: Entry) -> tuple[str, ...]:
        """The cautions an entry carries: those it names, and those attached to its agents or to
        any class its agents or strategy belong to (a class caution reaches every subclass)."""
        vocab = vocabulary()
        classes = {c for a in entry.agents for c in vocab.classes[vocab.agents[a].drug_class].ancestors}
        if entry.strategy is not None:
            for cls in (entry.strategy.igf_axis, *entry.strategy.partners):
                if cls in vocab.classes:
                    classes.update(vocab.classes[cls].ancestors)
        found = set(entry.cautions)
        for cid, caution in self.cautions.items():
            if set(caution.applies_to.agents) & set(entry.agents) or set(caution.applies_to.classes) & classes:
                found.add(cid)
        return tuple(sorted(found))


def packaged_rules() -> Path:
    """The knowledge base shipped in the wheel, or the repository's rules/ in a source checkout."""
    shipped = Path(__file__).resolve().parents[1] / "_rules"  # igfrules is never imported from a zip
    if shipped.is_dir():
        return shipped
    return Path(__file__).resolve().parents[3] / "rules"


def load_knowledge_base(path: str | Path | None = None, *, use_cache: bool = False,
                        views: Mapping[str, Callable[[KnowledgeBase], Any]] | None = None) -> KnowledgeBase:
    """Load, validate and compile a knowledge-base folder (None: the packaged one).

    `use_cache=True` reads and writes a per-user cache of parsed knowledge bases, keyed by the
    files' sha256 (knowledge/cache.py): what the command line does, so that it starts at once.
    `views` names further views built from the knowledge base (the report catalog): each is built
    now and kept in the cache entry beside the compiled rules. The knowledge base never imports
    what is built from it; the caller names the builders (evaluation/loading.py).
    """
    if path is not None and not isinstance(path, str | Path):
        raise KnowledgeBaseError(Problem("<knowledge base>", "", f"expected a folder path or None, not "
                                         f"{type(path).__name__}"))
    if "\0" in str(path):
        raise KnowledgeBaseError(Problem(repr(str(path)), "", "the folder name contains a NUL character"))
    root = Path(path) if path is not None else packaged_rules()
    digest = _digest(root) if use_cache else None
    cached = _cached(root, digest)
    kb = cached or _parse(root)
    try:
        kb.engine  # noqa: B018 - compile now: fail at load, and never lazily under threads
    except KnowledgeBaseError as err:
        raise KnowledgeBaseError([with_line(_locate(kb, p)) for p in err.problems]) from None
    # Stored only when the files hashed before the parse are the ones the parse hashed after it: a
    # rule saved mid-load must never leave the old rules cached under the new content's key.
    for name, build in (views or {}).items():
        kb.derived(name, build)
    if cached is None and digest is not None and digest == kb.sha256:
        from . import cache

        cache.store(kb, (COMPILED_RULES, *(views or {})))
    return kb


def _digest(root: Path) -> str | None:
    """The files' sha256 when the cache may be used (not disabled, a readable folder), else None."""
    from . import cache

    if not cache.enabled() or not root.is_dir():
        return None
    try:
        # The same files as digested_files(), named with plain strings: this runs on every start.
        names = [*TOP_FILES, *(f"{f}/{n}" for f in ENTRY_FOLDERS if os.path.isdir(root / f)
                               for n in sorted(os.listdir(root / f)))]
        return cache.content_sha256(root, names, content_digest)
    except (OSError, ReadError):
        return None  # an unreadable, odd or oversized file: parsing reports it properly


def _cached(root: Path, digest: str | None) -> KnowledgeBase | None:
    return None if digest is None else cached_knowledge_base(root, digest)


def cached_knowledge_base(root: Path, content_sha256: str) -> KnowledgeBase | None:
    """The knowledge base with these files from the per-user cache, with its stored views; None
    when there is no trusted entry or what it holds is not a knowledge base of these files."""
    from ..engine.durable_engine import CompiledRules
    from ..model.vocabulary import Vocabulary, adopt
    from . import cache

    found = cache.load(root, content_sha256)
    if found is None:
        return None
    fields, derived, vocab = found
    if not isinstance(derived, dict) or not isinstance(derived.get(COMPILED_RULES), CompiledRules) \
            or not isinstance(vocab, Vocabulary):
        return None
    try:
        kb = KnowledgeBase(*fields)
    except TypeError:
        return None
    if kb.sha256 != content_sha256 or kb.path != root:
        return None
    kb.cache.update(derived)
    adopt(vocab)
    return kb


def _parse(root: Path) -> KnowledgeBase:
    loader = _Loader(root)
    kb = loader.load()
    if loader.problems:
        raise KnowledgeBaseError(loader.sorted_problems())
    assert kb is not None  # noqa: S101 - load() returns None only with problems recorded
    return kb


def _locate(kb: KnowledgeBase, problem: Problem) -> Problem:
    """An engine problem names a condition ("entry:RAT-X"); say which file and key hold it."""
    kind, _, ident = problem.location.partition(":")
    if kind == "entry" and ident in kb.files:
        return Problem(kb.files[ident], "when", problem.message)
    if kind == "trial":
        return Problem(str(kb.path / "trials.yaml"), f"{ident}.population", problem.message)
    if kind == "caution":
        return Problem(str(kb.path / "cautions.yaml"), f"{ident}.heightened_when", problem.message)
    return problem


class _Loader:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.problems: list[Problem] = []
        self._readable: set[str] = set()  # files parsed; their text is read again only to locate a problem
        self._unreadable: set[str] = set()

    # -- reading -------------------------------------------------------------------------------

    def _read(self, path: Path) -> Any:
        name = str(path)
        if not self._inside(path):
            # A symlink to /etc/shadow must not have its lines printed back as "unknown keys".
            self.problems.append(Problem(name, "", "resolves to a file outside the knowledge-base folder; "
                                         "rule files must live inside it"))
            self._unreadable.add(name)
            return None
        try:
            data = read_document(path)
        except DocumentError as err:
            self.problems.append(Problem(name, "", str(err)))
            self._unreadable.add(name)
            return None
        self._readable.add(name)
        return data

    def _inside(self, path: Path) -> bool:
        try:
            return path.resolve().is_relative_to(self.root.resolve())
        except (OSError, RuntimeError):  # a symlink loop: reading it reports the problem
            return True

    def _model(self, model: type[Model], data: Any, source: str, prefix: str = "") -> Model | None:
        if data is None and source in self._unreadable:
            return None  # already reported: the file could not be read
        if isinstance(data, dict) and data and not set(data) & set(model.model_fields):
            # Nothing in it is a key this record takes: it is some other file. Its content is not
            # echoed back (a stray file may hold anything).
            kind = model.__name__.lower()
            self._problem(source, prefix, f"not {'an' if kind[0] in 'aeiou' else 'a'} {kind} record: none of "
                          f"its {len(data)} keys is one of {', '.join(model.model_fields)}")
            return None
        try:
            return model.model_validate(data)
        except ValidationError as err:
            for error in err.errors(include_url=False):
                location = field_path(error["loc"], prefix, data=data)
                message = error["msg"]
                if error["type"] == "extra_forbidden":
                    message = f"unknown key; allowed: {', '.join(model.model_fields)}"
                elif error["type"] == "missing":
                    message = "is required"
                self.problems.append(Problem(source, location, message))
            return None

    def _problem(self, source: str, location: str, message: str) -> None:
        self.problems.append(Problem(source, location, message))

    def sorted_problems(self) -> list[Problem]:
        located = [with_line(p) if p.source in self._readable else p for p in self.problems]
        return sorted(located, key=lambda p: (p.source, p.line or 0, p.location, p.message))

    # -- the whole folder ----------------------------------------------------------------------

    def load(self) -> KnowledgeBase | None:
        if not self.root.is_dir():
            self._problem(str(self.root), "", "not a folder holding a knowledge base")
            return None
        meta_path = self.root / "knowledge-base.yaml"
        meta_raw = self._read(meta_path)
        self._upgrade = upgrader(meta_raw)  # a release of an older schema is read as it was released
        meta = self._model(Meta, meta_raw, str(meta_path)) if meta_raw is not None else None
        references = self._mapping_file("references.yaml", Reference)
        trials = self._list_file("trials.yaml", Trial, key="nct_id")
        cautions = self._list_file("cautions.yaml", Caution, key="id")
        coverage_path = self.root / "coverage.yaml"
        coverage_raw = self._read(coverage_path)
        coverage = []
        if isinstance(coverage_raw, list):
            for i, raw in enumerate(coverage_raw):
                section = self._model(Section, raw, str(coverage_path), f"[{i}]")
                if section:
                    coverage.append(section)
        elif coverage_raw is not None:
            self._problem(str(coverage_path), "", "must be a list of sections")
        entries, files = self._entries()

        conditions: dict[str, Condition] = {}
        for entry in entries.values():
            if entry.status == "active":
                self._condition(conditions, f"entry:{entry.id}", entry.when, files[entry.id], "when")
        for nct, trial in trials.items():
            parts: dict[str, Condition] = {}  # each part parsed on its own, so a problem names its key
            self._condition(parts, "population", trial.population, self._source("trials.yaml"), f"{nct}.population")
            if trial.exclude is not None:
                self._condition(parts, "exclude", trial.exclude, self._source("trials.yaml"), f"{nct}.exclude")
            if len(parts) == 1 + (trial.exclude is not None):
                self._condition(conditions, f"trial:{nct}", trial.condition(), self._source("trials.yaml"),
                                f"{nct}.population")
        for cid, caution in cautions.items():
            if caution.heightened_when is not None:
                self._condition(conditions, f"caution:{cid}", caution.heightened_when,
                                self._source("cautions.yaml"), f"{cid}.heightened_when")

        if meta is not None:
            References(self, meta, references, trials, cautions, entries, files, coverage).check()
        if self.problems or meta is None:
            return None
        return KnowledgeBase(path=self.root, meta=meta, entries=entries, trials=trials, cautions=cautions,
                             references=references, coverage=tuple(coverage),
                             conditions=dict(sorted(conditions.items())), sha256=content_digest(self.root),
                             files=files)

    def _source(self, name: str) -> str:
        return str(self.root / name)

    def _mapping_file(self, name: str, model: type[Model]) -> dict[str, Model]:
        raw = self._read(self.root / name)
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            self._problem(self._source(name), "", "must be a mapping of id -> record")
            return {}
        found = {}
        for key, value in raw.items():
            record = self._model(model, value, self._source(name), str(key))
            if record is not None:
                found[str(key)] = record
        return found

    def _list_file(self, name: str, model: type[Model], *, key: str) -> dict[str, Model]:
        raw = self._upgrade(name, self._read(self.root / name))
        if raw is None:
            return {}
        if not isinstance(raw, list):
            self._problem(self._source(name), "", "must be a list")
            return {}
        found: dict[str, Model] = {}
        for i, value in enumerate(raw):
            record = self._model(model, value, self._source(name), f"[{i}]")
            if record is None:
                continue
            ident = getattr(record, key)
            if ident in found:
                self._problem(self._source(name), f"[{i}].{key}", f"{ident} is defined twice")
            found[ident] = record
        return found

    def _entries(self) -> tuple[dict[str, Entry], dict[str, str]]:
        entries: dict[str, Entry] = {}
        files: dict[str, str] = {}
        for folder in ENTRY_FOLDERS:
            for path in entry_files(self.root / folder):
                if path.suffix != ".yaml" or not path.is_file():
                    # A .yml, a subfolder or a stray file would otherwise be ignored in silence.
                    self._problem(str(path), "", "not an entry file: each entry is one <id>.yaml file here")
                    continue
                raw = self._read(path)
                entry = self._model(Entry, raw, str(path)) if raw is not None else None
                if entry is None:
                    continue
                if entry.id in entries:
                    self._problem(str(path), "id", f"{entry.id} is already defined in {files[entry.id]}")
                    continue
                expected_kind = "rationale" if folder == "rationales" else "context"
                if entry.kind != expected_kind:
                    self._problem(str(path), "kind", f"an entry in {folder}/ must be kind {expected_kind}")
                entries[entry.id] = entry
                files[entry.id] = str(path)
        return dict(sorted(entries.items())), files

    def _condition(
        self, into: dict[str, Condition], name: str, raw: Any, source: str, location: str
    ) -> None:
        try:
            into[name] = parse_condition(raw, location)
        except ConditionSyntaxError as err:
            self._problem(source, err.location, err.message)


def entry_files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir()) if folder.is_dir() else []


def digested_files(root: Path) -> list[Path]:
    """Every file the knowledge base is read from, sorted: what its sha256 covers."""
    return sorted([root / name for name in TOP_FILES] + [p for f in ENTRY_FOLDERS for p in entry_files(root / f)])


def content_digest(root: Path) -> str:
    """sha256 over the relative path and bytes of every file the knowledge base is read from."""
    digest = hashlib.sha256()
    for path in digested_files(root):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0")
        digest.update(read_limited(path) + b"\0")  # regular files only, bounded: a FIFO never blocks
    return digest.hexdigest()
