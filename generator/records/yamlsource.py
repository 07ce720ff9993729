"""Read YAML strictly, remembering where every value came from."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from generator.errors import Problem
from generator.records.characters import describe_char
from generator.records.datafile import FileRefused, read_data_file

DEFAULT_SIZE_CAP = 256 * 1024
# Records nest four levels at most (enrichment: metadata, arxiv, authors, item); 500 levels made
# the reader recurse past Python's limit. Deeper than this is refused before anything recurses.
MAX_DEPTH = 32

PathKey = tuple[str | int, ...]

_TYPE_WORDS = {
    "tag:yaml.org,2002:bool": "a boolean",
    "tag:yaml.org,2002:int": "a number",
    "tag:yaml.org,2002:float": "a number",
    "tag:yaml.org,2002:null": "null (nothing)",
    "tag:yaml.org,2002:timestamp": "a date/time",
}


class YamlProblem(Exception):
    """A problem found while parsing, with the position that caused it."""

    def __init__(self, line: int, col: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.col = col
        self.message = message


@dataclass
class YamlDocument:
    """A parsed YAML file: plain Python data plus the position of every node."""

    path: Path
    display: str
    data: Any
    positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    key_positions: dict[PathKey, tuple[int, int]] = field(default_factory=dict)
    # Unquoted scalars that YAML 1.1 turned into something other than a string.
    implicit: dict[PathKey, tuple[str, str]] = field(default_factory=dict)
    # Unquoted scalars whose YAML 1.1 reading is surprising whatever the field's type.
    surprises: dict[PathKey, str] = field(default_factory=dict)

    def position(self, loc: PathKey) -> tuple[int, int]:
        """Return the position of the deepest node on `loc` that exists."""
        for end in range(len(loc), -1, -1):
            pos = self.positions.get(loc[:end])
            if pos is not None:
                return pos
        return (1, 1)

    def problem(self, loc: PathKey, message: str, *, at_key: bool = False) -> Problem:
        """Make a Problem pointing at the node for `loc` (or at its key)."""
        pos = self.key_positions.get(loc) if at_key else None
        line, col = pos or self.position(loc)
        return Problem(self.display, line, col, message)


def _too_deep(mark: Any) -> YamlProblem:
    return YamlProblem(
        mark.line + 1,
        mark.column + 1,
        f"nested more than {MAX_DEPTH} levels deep; records are flat mappings and lists",
    )


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors, aliases, explicit tags and deep nesting while composing."""

    _depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        mark = event.start_mark
        nests = isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent)
        if nests and self._depth >= MAX_DEPTH:
            raise _too_deep(mark)
        if isinstance(event, yaml.AliasEvent):
            raise YamlProblem(
                mark.line + 1,
                mark.column + 1,
                f"alias *{event.anchor} is not allowed; write the value out in full",
            )
        if getattr(event, "anchor", None) is not None:
            raise YamlProblem(
                mark.line + 1,
                mark.column + 1,
                f"anchor &{event.anchor} is not allowed; write each value out in full",
            )
        tag = getattr(event, "tag", None)
        if tag is not None and tag != "!":
            raise YamlProblem(
                mark.line + 1,
                mark.column + 1,
                f"the YAML tag {tag!r} is not allowed; remove it (quote the value if it must be text)",
            )
        self._depth += nests
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= nests


try:  # libyaml parses about 8x faster than PyYAML's pure-Python scanner (10,000 records).
    from yaml import CSafeLoader as _CLoader
    from yaml._yaml import CParser as _CEvents
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _CLoader = None  # type: ignore[assignment,misc]


def _compose_fast(text: str) -> tuple[Any, yaml.Node | None] | None:
    """Compose with libyaml when the text is plain (no anchor, alias or tag); else None.

    Anything unusual (an error, an anchor, an alias, a tag) returns None, and the strict
    pure-Python loader reads the text again to report it exactly as before. Nesting deeper
    than MAX_DEPTH raises YamlProblem here, before anything recursive sees it.
    """
    if _CLoader is None:
        return None
    try:
        events = _CEvents(text)
        depth = 0
        try:
            while True:
                event = events.get_event()
                if isinstance(event, yaml.StreamEndEvent):
                    break
                if isinstance(event, yaml.MappingStartEvent | yaml.SequenceStartEvent):
                    depth += 1
                    if depth > MAX_DEPTH:
                        raise _too_deep(event.start_mark)
                elif isinstance(event, yaml.MappingEndEvent | yaml.SequenceEndEvent):
                    depth -= 1
                if isinstance(event, yaml.AliasEvent) or getattr(event, "anchor", None):
                    return None
                if getattr(event, "tag", None) not in (None, "!"):
                    return None
        finally:
            events.dispose()
        loader = _CLoader(text)
        try:
            return loader, loader.get_single_node()
        except BaseException:
            loader.dispose()
            raise
    except (yaml.YAMLError, ValueError):
        return None


def _pos(node: yaml.Node) -> tuple[int, int]:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def load_yaml(
    path: Path, *, display: str | None = None, size_cap: int = DEFAULT_SIZE_CAP
) -> YamlDocument:
    """Parse one YAML file, raising YamlProblem on the first structural problem.

    The file is read with a hard size limit and only if it is a regular file (not a symlink,
    FIFO or device); OSError (missing, no permission) passes through.
    """
    shown = display or str(path)
    try:
        raw = read_data_file(path, size_cap)
    except FileRefused as exc:
        raise YamlProblem(1, 1, exc.message) from None
    return parse_yaml(raw, path=path, display=shown)


def parse_yaml(raw: bytes, *, path: Path, display: str) -> YamlDocument:
    """Parse YAML bytes into a YamlDocument."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise YamlProblem(line, 1, "file is not valid UTF-8; save it as UTF-8") from None
    if text.startswith("\ufeff"):
        text = text[1:]
    fast = _compose_fast(text)
    if fast is not None:
        c_loader, c_node = fast
        try:
            doc = YamlDocument(path=path, display=display, data=None)
            if c_node is not None:
                doc.data = _build(c_loader, c_node, (), doc)
            return doc
        finally:
            c_loader.dispose()
    try:
        loader = _StrictLoader(text)
    except yaml.reader.ReaderError as exc:
        # PyYAML checks the whole text for control characters before it parses anything
        start = text.rfind("\n", 0, exc.position) + 1
        line, col = text.count("\n", 0, exc.position) + 1, exc.position - start + 1
        code = exc.character if isinstance(exc.character, int) else ord(exc.character)
        what = (
            f"the control character U+{code:04X}"
            if code < 0x20 or 0x7F <= code <= 0x9F
            else f"the character {describe_char(chr(code))}, which YAML files may not hold"
        )
        raise YamlProblem(
            line, col, f"contains {what}; delete it (retype the text if you cannot see it)"
        ) from None
    try:
        try:
            node = loader.get_single_node()
        except yaml.MarkedYAMLError as exc:
            mark = exc.problem_mark or exc.context_mark
            line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
            detail = exc.problem or str(exc)
            if exc.context and exc.context_mark and exc.context_mark is not mark:
                detail += f" ({exc.context} that started at line {exc.context_mark.line + 1})"
            if "expected a single document" in str(exc):
                detail = "only one YAML document is allowed per file; remove the extra '---'"
            raise YamlProblem(line, col, f"YAML syntax error: {detail}") from None
        except yaml.YAMLError as exc:
            raise YamlProblem(1, 1, f"YAML error: {exc}") from None
        doc = YamlDocument(path=path, display=display, data=None)
        if node is None:
            return doc
        doc.data = _build(loader, node, (), doc)
        return doc
    finally:
        loader.dispose()


def _build(loader: Any, node: yaml.Node, loc: PathKey, doc: YamlDocument) -> Any:
    doc.positions[loc] = _pos(node)
    if isinstance(node, yaml.MappingNode):
        result: dict[str, Any] = {}
        first_line: dict[str, int] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                line, col = _pos(key_node)
                raise YamlProblem(line, col, "mapping keys must be plain words")
            key = key_node.value
            if key == "<<":
                line, col = _pos(key_node)
                raise YamlProblem(
                    line, col, "merge keys (<<) are not allowed; write the fields out"
                )
            line, col = _pos(key_node)
            if key in first_line:
                raise YamlProblem(
                    line,
                    col,
                    f"duplicate key {key!r}: first on line {first_line[key]}, again on line {line};"
                    " keep only one",
                )
            first_line[key] = line
            doc.key_positions[(*loc, key)] = (line, col)
            result[key] = _build(loader, value_node, (*loc, key), doc)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_build(loader, item, (*loc, i), doc) for i, item in enumerate(node.value)]
    try:
        value = loader.construct_object(node, deep=True)
    except (yaml.YAMLError, ValueError, OverflowError) as exc:
        line, col = _pos(node)
        raise YamlProblem(
            line, col, f"cannot read {node.value!r}: {exc}; quote it if it is text"
        ) from None
    # Plain scalars have style None (PyYAML) or "" (libyaml).
    if not getattr(node, "style", None) and node.tag in _TYPE_WORDS:
        doc.implicit[loc] = (node.value, _TYPE_WORDS[node.tag])
        surprise = _surprise(node.value, node.tag, value)
        if surprise:
            doc.surprises[loc] = surprise
    return value


def _surprise(text: str, tag: str, value: Any) -> str | None:
    """Explain a YAML 1.1 reading nobody means: yes/no booleans, base-60, octal, hex."""
    if tag.endswith(":bool") and text not in ("true", "false"):
        return f"{text!r} is read by YAML 1.1 as the boolean {str(value).lower()}; quote it if it is text, or write true/false"
    if tag.endswith(":int") and not re.fullmatch(r"[-+]?(0|[1-9][0-9]*)", text):
        return f"{text!r} is read by YAML 1.1 as the number {value}; write plain decimal digits, or quote it if it is text"
    if tag.endswith(":float") and ":" in text:
        return f"{text!r} is read by YAML 1.1 as the number {value}; quote it if it is text"
    return None
