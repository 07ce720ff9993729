"""Read a brief written to the report's template into its parts: who, what, method, problem, effect.

The sample report's briefs, and the generated ones, follow one sentence:
"X发布了Y论文，使用M，解决了P，达成了E的效果。" Technique pages compare papers by these parts. Briefs
written by people follow it more or less: the parts that can be read are read (使用 may be 通过 or
采用, 达成了 may be 实现了 or missing, the sentence may end after the problem), and `template`
says whether the whole sentence followed it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_COMMA = "[，,]"
# The sentence up to the problem; what follows 解决了 is read by _problem_and_effect.
_BRIEF = re.compile(
    rf"^(?P<publisher>.+?)发布了(?P<paper>.*?)论文{_COMMA}\s*"
    rf"(?P<verb>使用|采用|通过|利用|基于|提出)(?P<method>.+?){_COMMA}\s*"
    r"解决了(?P<rest>.+?)[。.]?\s*$",
    re.DOTALL,
)
# The effect starts at a comma and one of these verbs (达成了 in the template) ...
_RESULT = re.compile(rf"{_COMMA}\s*(达成了|达成|实现了|实现|取得了|取得)")
# ... or, without one, after the comma that ends the problem (…的问题，在基准上提升3%).
_AFTER_PROBLEM = re.compile(rf"(?<=问题){_COMMA}\s*")
_EFFECT_END = re.compile(r"的效果$")


@dataclass(frozen=True)
class BriefParts:
    """The parts of a template-shaped brief; `template` is True when it followed it exactly."""

    publisher: str
    paper: str
    method: str
    problem: str
    effect: str | None
    template: bool


def split_brief(text: str) -> BriefParts | None:
    """Return the parts of a brief shaped like the template, or None when it is not."""
    flat = " ".join(text.split())
    found = _BRIEF.match(flat)
    if found is None:
        return None
    problem, verb, effect = _problem_and_effect(found.group("rest"))
    template = (
        found.group("verb") == "使用"
        and verb == "达成了"
        and effect is not None
        and bool(_EFFECT_END.search(effect))
        and bool(found.group("paper"))
    )
    if effect is not None:
        effect = _EFFECT_END.sub("", effect).strip() or None
    return BriefParts(
        publisher=found.group("publisher").strip(),
        paper=found.group("paper").strip(),
        method=found.group("method").strip(),
        problem=problem.strip(),
        effect=effect,
        template=template,
    )


def _problem_and_effect(rest: str) -> tuple[str, str | None, str | None]:
    """Split what follows 解决了 into the problem, the result verb and the effect."""
    result = _RESULT.search(rest)
    if result is not None:
        return rest[: result.start()], result.group(1), rest[result.end() :].strip()
    after = _AFTER_PROBLEM.search(rest)
    if after is not None:
        return rest[: after.start()], None, rest[after.end() :].strip() or None
    return rest, None, None
