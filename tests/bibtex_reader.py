"""Read a .bib file the way BibTeX 0.99 does, so an injected entry cannot hide behind a kind parser.

BibTeX has no comment syntax. Outside an entry it skips everything up to the next `@`, wherever
that `@` stands (in a `%` line, in the middle of a sentence); `@comment` is skipped as a word and
what follows it is read as text between entries again, so an `@` inside `@comment{...}` starts an
entry too. A value in braces ends at the brace that balances its opening one, counting every brace
(a backslash does not escape one); a quoted value ends at a `"` outside braces. Keys are compared
without case, and a key seen twice is BibTeX's "Repeated entry".

`read_bib` returns the entries and every problem BibTeX would report or a reviewer should see:
syntax errors, repeated keys, entries that start in the middle of a line of other text, and
values whose braces do not balance.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Characters that end an identifier (entry type, field name, macro), per BibTeX's id_class.
_NOT_IN_ID = set(" \t\n\r\"#%'(),={}")


@dataclass
class BibEntry:
    """One entry as BibTeX reads it: type and key as written, fields with their raw values."""

    kind: str
    key: str
    fields: dict[str, str]
    offset: int  # where its `@` stands in the file


@dataclass
class BibFile:
    """What BibTeX finds in a file."""

    entries: list[BibEntry] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    between: list[str] = field(default_factory=list)  # text skipped between entries

    @property
    def keys(self) -> list[str]:
        """Return the keys of the entries, in file order (commands such as @string excluded)."""
        return [e.key for e in self.entries]


class _Stop(Exception):
    """An entry BibTeX gives up on; reading goes on at the next `@`."""


class _Reader:
    def __init__(self, text: str) -> None:
        self.text = text
        self.pos = 0

    def line_of(self, pos: int) -> int:
        return self.text.count("\n", 0, pos) + 1

    def peek(self) -> str:
        return self.text[self.pos] if self.pos < len(self.text) else ""

    def skip_white(self) -> None:
        while self.pos < len(self.text) and self.text[self.pos].isspace():
            self.pos += 1

    def identifier(self) -> str:
        start = self.pos
        while self.pos < len(self.text) and self.text[self.pos] not in _NOT_IN_ID:
            self.pos += 1
        return self.text[start : self.pos]

    def fail(self, message: str) -> _Stop:
        return _Stop(f"line {self.line_of(self.pos)}: {message}")

    def braced(self) -> str:
        """Read {...} with balanced braces; return the inside."""
        assert self.peek() == "{"
        depth, start = 0, self.pos
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth == 0:
                    self.pos += 1
                    return self.text[start + 1 : self.pos - 1]
            self.pos += 1
        raise self.fail("a value in braces never closes (unbalanced braces)")

    def quoted(self) -> str:
        assert self.peek() == '"'
        depth, start = 0, self.pos
        self.pos += 1
        while self.pos < len(self.text):
            ch = self.text[self.pos]
            if ch == "{":
                depth += 1
            elif ch == "}":
                depth -= 1
                if depth < 0:
                    raise self.fail("a quoted value closes a brace it never opened")
            elif ch == '"' and depth == 0:
                self.pos += 1
                return self.text[start + 1 : self.pos - 1]
            self.pos += 1
        raise self.fail("a quoted value never closes")

    def value(self) -> str:
        parts = []
        while True:
            self.skip_white()
            ch = self.peek()
            if ch == "{":
                parts.append(self.braced())
            elif ch == '"':
                parts.append(self.quoted())
            elif ch.isdigit():
                start = self.pos
                while self.peek().isdigit():
                    self.pos += 1
                parts.append(self.text[start : self.pos])
            else:
                name = self.identifier()
                if not name:
                    raise self.fail(f"expected a value, found {ch!r}")
                parts.append(f"<macro {name}>")
            self.skip_white()
            if self.peek() != "#":
                return "".join(parts)
            self.pos += 1

    def entry_body(self, close: str) -> tuple[str, dict[str, str]]:
        self.skip_white()
        start = self.pos
        stops = {",", close} if close == "}" else {","}
        while self.pos < len(self.text) and self.text[self.pos] not in stops:
            if self.text[self.pos].isspace():
                break
            self.pos += 1
        key = self.text[start : self.pos]
        fields: dict[str, str] = {}
        while True:
            self.skip_white()
            ch = self.peek()
            if ch == close:
                self.pos += 1
                return key, fields
            if ch != ",":
                raise self.fail(f"I was expecting a `,' or a `{close}', found {ch!r}")
            self.pos += 1
            self.skip_white()
            if self.peek() == close:
                self.pos += 1
                return key, fields
            name = self.identifier().lower()
            if not name:
                raise self.fail(f"expected a field name, found {self.peek()!r}")
            self.skip_white()
            if self.peek() != "=":
                raise self.fail(f"I was expecting an `=' after {name!r}")
            self.pos += 1
            if name in fields:
                raise self.fail(f"field {name!r} appears twice")
            fields[name] = self.value()


def read_bib(text: str) -> BibFile:
    """Read a .bib text as BibTeX 0.99 does."""
    result = BibFile()
    reader = _Reader(text)
    seen: dict[str, int] = {}
    while True:
        at = text.find("@", reader.pos)
        result.between.append(text[reader.pos : at if at >= 0 else len(text)])
        if at < 0:
            break
        reader.pos = at + 1
        line_start = text.rfind("\n", 0, at) + 1
        if text[line_start:at].strip():
            result.problems.append(
                f"line {reader.line_of(at)}: an entry starts after other text on its line:"
                f" {text[line_start : at + 40]!r}"
            )
        reader.skip_white()
        kind = reader.identifier().lower()
        if kind == "comment":
            continue  # BibTeX 0.99 skips the word only: the rest is text between entries again
        reader.skip_white()
        opener = reader.peek()
        if opener not in "{(" or not opener:
            result.problems.append(
                f"line {reader.line_of(reader.pos)}: I was expecting a `{{' or a `(' after @{kind}"
            )
            continue
        reader.pos += 1
        close = "}" if opener == "{" else ")"
        try:
            if kind in ("string", "preamble"):
                reader.skip_white()
                if kind == "string":
                    reader.identifier()
                    reader.skip_white()
                    reader.pos += 1  # '='
                reader.value()
                reader.skip_white()
                if reader.peek() != close:
                    raise reader.fail(f"@{kind} does not end with {close!r}")
                reader.pos += 1
                result.problems.append(f"line {reader.line_of(at)}: an @{kind} command")
                continue
            key, fields = reader.entry_body(close)
        except _Stop as exc:
            result.problems.append(str(exc))
            continue
        folded = key.lower()
        if folded in seen:
            result.problems.append(
                f"line {reader.line_of(at)}: Repeated entry {key!r} (first on line"
                f" {reader.line_of(seen[folded])})"
            )
        else:
            seen[folded] = at
        result.entries.append(BibEntry(kind, key, fields, at))
    return result


def bib_problems(text: str, expected_keys: list[str] | None = None) -> list[str]:
    """Return what is wrong with a .bib file we wrote: BibTeX's errors and anything unexpected.

    Between entries only blank lines may stand (text there could hide an `@`); with
    `expected_keys`, the entries must be exactly those, in that order.
    """
    found = read_bib(text)
    problems = list(found.problems)
    for chunk in found.between:
        if chunk.strip():
            problems.append(f"text between entries: {chunk.strip()[:80]!r}")
    if expected_keys is not None and found.keys != expected_keys:
        problems.append(f"entries {found.keys} where {expected_keys} were written")
    for entry in found.entries:
        for name, value in entry.fields.items():
            if value.count("{") != value.count("}"):
                problems.append(f"{entry.key}.{name}: unbalanced braces in {value[:60]!r}")
    return problems
