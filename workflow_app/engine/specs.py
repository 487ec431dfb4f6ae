"""Parsing, validating and versioning BPMN/DMN files.

Files are parsed once per content hash (per process); each process's serialized spec is hashed and a
new version is deployed only when that hash is new. Instances run on the spec version they started
with, restored from the database and cached in memory by definition id (specs are immutable).
"""
from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import orjson
from lxml import etree
from SpiffWorkflow.bpmn.parser.ValidationException import ValidationException
from SpiffWorkflow.bpmn.serializer.workflow import BpmnWorkflowSerializer
from SpiffWorkflow.spiff.parser.process import SpiffBpmnParser, VALIDATOR
from SpiffWorkflow.spiff.serializer.config import SPIFF_CONFIG

log = logging.getLogger(__name__)

# One registry for specs and workflows; converters are stateless.
REGISTRY = BpmnWorkflowSerializer.configure(SPIFF_CONFIG)


@dataclass(frozen=True)
class FileProblem:
    file: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.message}"


@dataclass
class ParsedProcess:
    key: str
    name: str
    source_file: str
    source_xml: str
    spec_json: bytes
    sha256: str


@dataclass
class DmnFile:
    key: str
    name: str
    source_file: str
    source_xml: str
    sha256: str


@dataclass
class ParseResult:
    processes: dict[str, ParsedProcess] = field(default_factory=dict)
    decisions: dict[str, DmnFile] = field(default_factory=dict)
    problems: list[FileProblem] = field(default_factory=list)


# Lanes (bpmn/README.md, convention 4): a lane's `name` is what people read in the diagram (绩效科, 部门填报人 …);
# the role it stands for is in its XML id, `lane_<role>` (or `lane_<role>-<anything>` where a file needs two
# lanes of one role, XML ids being unique per file). The engine gives every task its lane's role code, so
# task rows, policies and the API keep speaking role codes. A lane whose id has no `lane_` prefix is read the
# old way, its name being the role code, so models written before this convention still deploy.
LANE_ID_PREFIX = "lane_"


def lane_role(lane_id: str | None, lane_name: str | None) -> str | None:
    """The role code a lane stands for, from its id (`lane_<role>[-suffix]`), else its name (older models)."""
    if lane_id and lane_id.startswith(LANE_ID_PREFIX):
        return lane_id[len(LANE_ID_PREFIX):].split("-", 1)[0] or None
    return lane_name


class RoleLaneParser(SpiffBpmnParser):
    """The Spiff parser, with each node's lane read as the role code of the lane's id (see `lane_role`)."""

    def _add_diagram_indexes(self, bpmn):  # the one place Spiff reads lane names (BpmnParser, 3.x)
        super()._add_diagram_indexes(bpmn)
        lanes = {}
        for ref in bpmn.xpath(".//bpmn:flowNodeRef", namespaces=self.namespaces):
            if ref.text is not None:
                lane = ref.getparent()
                lanes[ref.text] = lane_role(lane.get("id"), lane.get("name"))
        self.document_lanes[self._document_key(bpmn)] = lanes


def _lane_names(xml: str) -> dict[str, str]:
    root = etree.fromstring(xml.encode("utf-8"), etree.XMLParser(resolve_entities=False, no_network=True))
    return {str(lane.get("id")): lane.get("name") or "" for lane in root.xpath("//*[local-name()='lane']")}


def lane_problems(path: Path, roles: frozenset[str]) -> list[str]:
    """Every lane must stand for a role; named with the lane's id, name and the file's line."""
    tree = etree.parse(str(path), etree.XMLParser(resolve_entities=False, no_network=True))
    problems = []
    for lane in tree.xpath("//*[local-name()='lane']"):
        role = lane_role(lane.get("id"), lane.get("name"))
        if role not in roles:
            problems.append(f"element id={lane.get('id')}: lane “{lane.get('name') or ''}” does not stand for a "
                            f"role (its id must be lane_<role>, role one of {', '.join(sorted(roles))}); "
                            f"line {lane.sourceline}")
    return problems


def _describe(error: Exception) -> str:
    if isinstance(error, ValidationException):
        parts = [str(error).split("\n")[0]]
        if getattr(error, "id", None):
            parts.append(f"element id={error.id}")
        if getattr(error, "line_number", None):
            parts.append(f"line {error.line_number}")
        return "; ".join(parts)
    return f"{type(error).__name__}: {str(error).splitlines()[0] if str(error) else ''}"


def _source_files(dirs: list[str]) -> tuple[list[Path], list[Path]]:
    bpmn: list[Path] = []
    dmn: list[Path] = []
    for d in dirs:
        base = Path(d)
        if base.is_dir():
            bpmn += sorted(base.glob("*.bpmn"))
            dmn += sorted(base.glob("*.dmn"))
    return bpmn, dmn


def bundle_hash(dirs: list[str]) -> str:
    """A hash of every file's name and bytes: if it is unchanged, nothing needs parsing."""
    digest = hashlib.sha256()
    bpmn, dmn = _source_files(dirs)
    for path in bpmn + dmn:
        digest.update(str(path).encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _strip_locations(obj: Any) -> Any:
    """Drop file paths from a spec dict so the hash depends on content, not on where the clone lives."""
    if isinstance(obj, dict):
        return {k: _strip_locations(v) for k, v in obj.items() if k not in {"file"}}
    if isinstance(obj, list):
        return [_strip_locations(v) for v in obj]
    return obj


def _expression_problems(specs: list[Any]) -> list[str]:
    """Compile every condition, script and timer expression now, so a typo is reported at deploy time
    with its element instead of failing an instance in the middle of a review."""
    problems = []
    for spec in specs:
        for task_spec in spec.task_specs.values():
            element = getattr(task_spec, "bpmn_id", None) or task_spec.name
            checks = []
            for condition, _target in getattr(task_spec, "cond_task_specs", []) or []:
                args = getattr(condition, "args", None)  # Spiff wraps the expression in an operator
                if args and isinstance(args[0], str):
                    checks.append((args[0], "eval"))
            for attr in ("script", "prescript", "postscript"):
                if isinstance(getattr(task_spec, attr, None), str):
                    checks.append((getattr(task_spec, attr), "exec"))
            definition = getattr(task_spec, "event_definition", None)
            if isinstance(getattr(definition, "expression", None), str):
                checks.append((definition.expression, "eval"))
            for text, mode in checks:
                try:
                    compile(text, element, mode)
                except SyntaxError as error:
                    problems.append(f"element id={element}: invalid expression {text!r} ({error.msg})")
    return problems


def _laneless_user_tasks(specs: list[Any]) -> list[str]:
    """A user task outside every lane deploys and starts, but no one is ever its candidate: the instance
    would wait on it for good. Refuse the model instead, naming the element."""
    problems = []
    for spec in specs:
        for task_spec in spec.task_specs.values():
            if getattr(task_spec, "manual", False) and not getattr(task_spec, "lane", None):
                element = getattr(task_spec, "bpmn_id", None) or task_spec.name
                problems.append(f"element id={element}: user task has no lane (人工任务不在任何泳道中，无人能办理)")
    return problems


def _process_name(path: Path, key: str) -> str:
    tree = etree.parse(str(path))
    found = tree.xpath("//*[local-name()='process'][@id=$key]/@name", key=key)
    return str(found[0]) if found else key


def parse_dirs(dirs: list[str], roles: frozenset[str] | None = None) -> ParseResult:
    """Parse every BPMN and DMN file; a file that does not parse is reported and left out.

    `roles`: the role codes a lane may stand for (default: the product's roles); a file with a lane that
    stands for none of them is reported and left out, since nobody could ever do its tasks."""
    if roles is None:
        from ..models.org import Role  # local: the engine layer needs no models otherwise
        roles = frozenset(Role.values())
    result = ParseResult()
    bpmn_files, dmn_files = _source_files(dirs)

    good_bpmn: list[Path] = []
    good_dmn: list[Path] = []
    # Validate each file alone first, so that one broken file cannot hide the others.
    for path in dmn_files:
        try:
            probe = SpiffBpmnParser(validator=VALIDATOR)
            probe.add_dmn_file(str(path))
            good_dmn.append(path)
        except Exception as error:  # any parse failure: report and skip the file
            result.problems.append(FileProblem(str(path), _describe(error)))
    for path in bpmn_files:
        try:
            probe = RoleLaneParser(validator=VALIDATOR)
            probe.add_bpmn_file(str(path))
            lanes = lane_problems(path, roles)
            if lanes:
                result.problems += [FileProblem(str(path), message) for message in lanes]
                continue
            good_bpmn.append(path)
        except Exception as error:
            result.problems.append(FileProblem(str(path), _describe(error)))

    parser = RoleLaneParser(validator=VALIDATOR)
    parser.add_dmn_files([str(p) for p in good_dmn])
    parser.add_bpmn_files([str(p) for p in good_bpmn])

    for path in good_dmn:
        xml = path.read_text(encoding="utf-8")
        result.decisions[path.stem] = DmnFile(
            key=path.stem, name=path.stem, source_file=path.name, source_xml=xml,
            sha256=hashlib.sha256(xml.encode()).hexdigest(),
        )

    for path in good_bpmn:
        xml = path.read_text(encoding="utf-8")
        for key in parser.get_process_ids():
            process_parser = parser.get_process_parser(key)
            if Path(process_parser.filename).resolve() != path.resolve():
                continue
            if not process_parser.process_executable:
                continue
            try:
                spec = parser.get_spec(key)
                subprocess_specs = parser.get_subprocess_specs(key)
                invalid = [*_expression_problems([spec, *subprocess_specs.values()]),
                           *_laneless_user_tasks([spec, *subprocess_specs.values()])]
                if invalid:
                    for message in invalid:
                        result.problems.append(FileProblem(str(path), f"process {key}: {message}"))
                    continue
                spec_dict = {
                    "spec": REGISTRY.convert(spec),
                    "subprocess_specs": {name: REGISTRY.convert(s) for name, s in subprocess_specs.items()},
                }
            except Exception as error:
                result.problems.append(FileProblem(str(path), f"process {key}: {_describe(error)}"))
                continue
            # The lanes' names are only drawn, never run, yet people read them in the diagram: a renamed lane
            # is a new version, so the diagram of new instances shows it.
            canonical = orjson.dumps({**_strip_locations(spec_dict), "lane_names": _lane_names(xml)},
                                     option=orjson.OPT_SORT_KEYS)
            result.processes[key] = ParsedProcess(
                key=key, name=_process_name(path, key), source_file=path.name, source_xml=xml,
                spec_json=orjson.dumps(spec_dict), sha256=hashlib.sha256(canonical).hexdigest(),
            )
    for problem in result.problems:
        log.error("BPMN not deployed: %s", problem)
    return result


class SpecCache:
    """Restored specs by content hash (sha256): a spec never changes once deployed, and the same
    content is the same spec whatever row or database it came from, so this is safe to share."""

    def __init__(self) -> None:
        self._specs: dict[str, tuple[Any, dict[str, Any]]] = {}
        self._lock = threading.Lock()

    def get(self, sha256: str, load_json: Callable[[], bytes | None]) -> tuple[Any, dict[str, Any]]:
        cached = self._specs.get(sha256)
        if cached is not None:
            return cached
        spec_json = load_json()
        if spec_json is None:
            raise ValueError(f"definition {sha256} has no executable spec")
        data = orjson.loads(spec_json)
        spec = REGISTRY.restore(data["spec"])
        subprocess_specs = {name: REGISTRY.restore(s) for name, s in data["subprocess_specs"].items()}
        with self._lock:
            self._specs[sha256] = (spec, subprocess_specs)
        return spec, subprocess_specs


    def clear(self) -> None:
        """Forget every spec (tests that empty the database reuse definition ids)."""
        with self._lock:
            self._specs.clear()


SPEC_CACHE = SpecCache()
