"""The sample data copied for a test, and new paper records dated after its report."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

from click.testing import CliRunner, Result

from generator.cli import main

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_DATA = ROOT / "data"
SAMPLE_REPORT = "ai-inference-2025-10-15"

# Three papers added after the sample report (2025-10-15), each with a person's brief.
NEW_PAPERS: dict[str, dict[str, object]] = {
    "tiny-kv": {
        "title": "Tiny KV: Compressing the KV Cache to Two Bits <b>fast</b> & small",
        "added": date(2025, 10, 20),
        "techniques": ["kv-cache", "quantization"],
        "institutions": ["Peking University"],
        "brief": "北京大学发布了Tiny KV论文，使用两比特KV缓存量化，解决了长上下文显存占用大的问题，达成显存减少4倍的效果。",
    },
    "babel-draft": {
        "title": "Babel Draft: Speculative Decoding for Many Languages",
        "added": date(2025, 10, 21),
        "techniques": ["llm-serving"],
        "institutions": ["Tsinghua University"],
        "brief": "清华大学发布了Babel Draft论文，使用多语言草稿模型的投机解码，解决了非英语生成慢的问题，达成2.1倍加速的效果。",
    },
    "atlas-ptq": {
        "title": "Atlas: Post-Training Quantization Without Calibration Data",
        "added": date(2025, 11, 2),
        "techniques": ["post-training-quantization"],
        "institutions": ["Peking University", "Tsinghua University"],
        "brief": "北京大学与清华大学发布了Atlas论文，使用无需校准数据的训练后量化，解决了校准数据难以获得的问题，达成W4A8下精度损失小于1%的效果。",
    },
}
# The order the report lists them in: by title, A to Z.
NEW_ORDER = ["atlas-ptq", "babel-draft", "tiny-kv"]


def copy_sample_data(base: Path) -> Path:
    """Copy the repository's data/ (the sample report's 28 papers) under base."""
    return Path(shutil.copytree(SAMPLE_DATA, base / "data"))


def write_paper(data: Path, paper_id: str, **fields: object) -> Path:
    """Write DATA/papers/<id>.yaml with the given fields (JSON is valid YAML)."""
    record = {
        key: value.isoformat() if isinstance(value, date) else value
        for key, value in fields.items()
        if value is not None
    }
    path = data / "papers" / f"{paper_id}.yaml"
    path.write_text(json.dumps(record, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    return path


def add_new_papers(data: Path, **overrides: dict[str, object]) -> None:
    """Add the three new papers (fields per id overridable, None drops a field)."""
    for paper_id, fields in NEW_PAPERS.items():
        write_paper(data, paper_id, **{**fields, **overrides.get(paper_id, {})})


def paperbrief(*args: str, env: dict[str, str] | None = None) -> Result:
    """Run the command in-process, with no Mistral key unless one is given."""
    return CliRunner().invoke(main, list(args), env={"MISTRAL_API_KEY": "", **(env or {})})
