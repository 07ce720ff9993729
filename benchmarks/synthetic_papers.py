"""Synthetic paper records for the scale benchmarks: registries, papers and reports, seeded.

`generate_data(data, n, seed)` writes N records shaped like real ones (Chinese briefs, English
titles and abstracts, about 40 techniques, about N/5 institutions cited unevenly, a few reports);
the same seed gives the same files.
"""

from __future__ import annotations

import random
import re
from datetime import date, datetime, timedelta
from pathlib import Path

import yaml

# ---- synthetic data ---------------------------------------------------------------------------

# (id, zh, en, aliases, parent): about 40 techniques, a few of them narrower than another.
TECHNIQUES = [
    ("quantization", "量化", "Quantization", ["模型量化", "low-bit"], None),
    (
        "post-training-quantization",
        "训练后量化",
        "Post-Training Quantization",
        ["PTQ"],
        "quantization",
    ),
    (
        "quantization-aware-training",
        "量化感知训练",
        "Quantization-Aware Training",
        ["QAT"],
        "quantization",
    ),
    ("kv-cache", "KV缓存优化", "KV Cache Optimization", ["KV cache", "键值缓存"], None),
    ("kv-cache-compression", "KV缓存压缩", "KV Cache Compression", ["KV eviction"], "kv-cache"),
    ("pruning", "剪枝与稀疏化", "Pruning and Sparsity", ["sparsity", "稀疏"], None),
    ("structured-pruning", "结构化剪枝", "Structured Pruning", ["channel pruning"], "pruning"),
    ("distillation", "知识蒸馏", "Knowledge Distillation", ["KD", "蒸馏"], None),
    ("speculative-decoding", "投机解码", "Speculative Decoding", ["draft model", "推测解码"], None),
    ("early-exit", "提前退出", "Early Exit", ["dynamic depth"], None),
    ("moe", "混合专家", "Mixture of Experts", ["MoE", "专家路由"], None),
    ("expert-offloading", "专家卸载", "Expert Offloading", [], "moe"),
    ("llm-serving", "大模型推理服务系统", "LLM Serving Systems", ["inference serving"], None),
    ("batching", "动态批处理", "Dynamic Batching", ["continuous batching"], "llm-serving"),
    ("scheduling", "请求调度", "Request Scheduling", ["SLO scheduling"], "llm-serving"),
    ("attention-kernels", "注意力算子优化", "Attention Kernels", ["FlashAttention"], None),
    ("sparse-attention", "稀疏注意力", "Sparse Attention", ["token sparsity"], "attention-kernels"),
    ("linear-attention", "线性注意力", "Linear Attention", ["state space"], None),
    ("long-context", "长上下文", "Long Context", ["context extension"], None),
    ("rag", "检索增强生成", "Retrieval-Augmented Generation", ["RAG"], None),
    ("diffusion-llm", "扩散语言模型", "Diffusion Language Models", ["dLLM"], None),
    (
        "diffusion-acceleration",
        "扩散模型加速",
        "Diffusion Acceleration",
        ["few-step sampling"],
        None,
    ),
    ("token-pruning", "视觉令牌剪枝", "Visual Token Pruning", ["token merging"], None),
    ("vlm-efficiency", "多模态模型加速", "Efficient VLMs", ["VLM", "视觉语言模型"], None),
    ("edge-inference", "端侧推理", "On-Device Inference", ["edge AI", "移动端"], None),
    ("compute-in-memory", "存内计算", "Compute-in-Memory", ["CIM", "PIM"], None),
    ("fpga", "FPGA加速", "FPGA Acceleration", ["FPGA"], None),
    ("compiler", "深度学习编译器", "DL Compilers", ["operator fusion", "算子融合"], None),
    ("parallelism", "分布式并行", "Distributed Parallelism", ["tensor parallel", "pipeline"], None),
    ("offloading", "显存卸载", "Memory Offloading", ["CPU offload"], None),
    ("lora", "参数高效微调", "Parameter-Efficient Fine-Tuning", ["LoRA", "PEFT"], None),
    ("reasoning-efficiency", "高效推理链", "Efficient Reasoning", ["CoT compression"], None),
    ("low-rank", "低秩分解", "Low-Rank Decomposition", ["SVD"], None),
    ("nas", "神经架构搜索", "Neural Architecture Search", ["NAS"], None),
    ("energy", "能效优化", "Energy Efficiency", ["green AI", "功耗"], None),
    ("caching", "语义缓存", "Semantic Caching", ["prompt cache"], None),
    ("agents", "智能体系统优化", "Agent Serving", ["LLM agents"], None),
    ("video-generation", "视频生成加速", "Video Generation Acceleration", [], None),
    ("recommendation", "推荐模型推理", "Recommendation Inference", ["DLRM"], None),
    ("benchmarking", "推理基准评测", "Inference Benchmarking", ["benchmark"], None),
]

CITIES = [
    ("Beijing", "北京"),
    ("Shanghai", "上海"),
    ("Shenzhen", "深圳"),
    ("Hangzhou", "杭州"),
    ("Nanjing", "南京"),
    ("Wuhan", "武汉"),
    ("Chengdu", "成都"),
    ("Xian", "西安"),
    ("Harbin", "哈尔滨"),
    ("Tianjin", "天津"),
    ("Guangzhou", "广州"),
    ("Hefei", "合肥"),
    ("Xiamen", "厦门"),
    ("Suzhou", "苏州"),
    ("Dalian", "大连"),
    ("Jinan", "济南"),
    ("Changsha", "长沙"),
    ("Chongqing", "重庆"),
    ("Kunming", "昆明"),
    ("Lanzhou", "兰州"),
    ("Boston", "波士顿"),
    ("Seattle", "西雅图"),
    ("Austin", "奥斯汀"),
    ("Chicago", "芝加哥"),
    ("Toronto", "多伦多"),
    ("Zurich", "苏黎世"),
    ("Munich", "慕尼黑"),
    ("Paris", "巴黎"),
    ("London", "伦敦"),
    ("Edinburgh", "爱丁堡"),
    ("Seoul", "首尔"),
    ("Tokyo", "东京"),
    ("Singapore", "新加坡"),
    ("Sydney", "悉尼"),
    ("Haifa", "海法"),
    ("Delft", "代尔夫特"),
    ("Lausanne", "洛桑"),
    ("Berkeley", "伯克利"),
    ("Princeton", "普林斯顿"),
    ("Madison", "麦迪逊"),
]
KINDS = [
    ("University", "大学"),
    ("University of Technology", "理工大学"),
    ("Institute of Computing", "计算技术研究所"),
    ("AI Research Lab", "人工智能实验室"),
    ("Normal University", "师范大学"),
    ("University of Science and Technology", "科技大学"),
    ("Academy of Sciences", "科学院"),
    ("Systems Research Center", "系统研究中心"),
    ("Polytechnic Institute", "理工学院"),
    ("Data Intelligence Institute", "数据智能研究院"),
]
SUFFIXES = [
    ("", ""),
    ("North", "北"),
    ("South", "南"),
    ("East", "东"),
    ("West", "西"),
    ("Labs", "研究部"),
]

SYLLABLES = [
    "quan",
    "flex",
    "spec",
    "tok",
    "mo",
    "lite",
    "fast",
    "ada",
    "sparse",
    "kv",
    "lin",
    "zip",
    "turbo",
    "nano",
    "hydra",
    "orca",
    "vega",
    "lumen",
    "atlas",
    "prism",
    "echo",
    "nova",
    "fuse",
    "shift",
    "swift",
    "tiny",
    "deep",
    "edge",
    "omni",
    "flash",
]
ADJECTIVES = [
    "Efficient",
    "Scalable",
    "Adaptive",
    "Lossless",
    "Hardware-Aware",
    "Training-Free",
    "Memory-Efficient",
    "Low-Latency",
    "Robust",
    "Unified",
    "Dynamic",
    "Fine-Grained",
]
DOMAINS = [
    "Large Language Models",
    "Vision Transformers",
    "Diffusion Models",
    "Edge Devices",
    "Multimodal Agents",
    "Long-Context Serving",
    "Mobile GPUs",
    "Recommendation Systems",
    "Speech Recognition",
    "Code Generation",
    "Video Understanding",
    "Scientific Computing",
]
VERBS = ["reduces", "cuts", "improves", "accelerates", "compresses", "stabilizes", "balances"]
OBJECTS = [
    "memory traffic",
    "decoding latency",
    "time to first token",
    "energy per token",
    "the KV cache footprint",
    "end-to-end throughput",
    "activation outliers",
    "communication overhead",
    "GPU utilization",
    "calibration cost",
    "tail latency",
]
METHODS = [
    "a learned router",
    "per-channel scaling",
    "a lightweight draft model",
    "block-wise rotation",
    "asynchronous prefetching",
    "mixed-precision kernels",
    "entropy-guided token selection",
    "a two-level cache",
    "layer-wise sensitivity analysis",
    "speculative verification",
    "structured low-rank adapters",
    "a cost model",
]
ZH_PROBLEMS = [
    "显存占用高",
    "推理延迟大",
    "长上下文下KV缓存膨胀",
    "端侧设备算力不足",
    "量化后精度下降",
    "专家负载不均衡",
    "批处理效率低",
    "通信开销大",
    "能耗过高",
    "首字延迟高",
    "注意力计算复杂度高",
    "训练成本高昂",
]
ZH_RESULTS = [
    "吞吐提升{a}倍",
    "延迟降低{p}%",
    "显存减少{p}%",
    "精度损失小于{s}%",
    "能效提升{a}倍",
    "首字延迟缩短{p}%",
]
ZH_METHODS = [
    "自适应{t}方法",
    "面向{t}的软硬件协同设计",
    "基于{t}的推理框架",
    "无需训练的{t}策略",
    "分层{t}机制",
]
SURNAMES = [
    "Wang",
    "Li",
    "Zhang",
    "Liu",
    "Chen",
    "Yang",
    "Huang",
    "Zhao",
    "Wu",
    "Zhou",
    "Kim",
    "Park",
    "Smith",
    "Garcia",
    "Müller",
    "Rossi",
    "Tanaka",
    "Nguyen",
    "Singh",
    "Cohen",
]
GIVEN = [
    "Wei",
    "Jing",
    "Hao",
    "Min",
    "Yu",
    "Xin",
    "Lei",
    "Anna",
    "David",
    "Sofia",
    "Ravi",
    "Jun",
    "Yuki",
    "Omar",
    "Lena",
    "Tomás",
    "Mei",
    "Chen",
    "Ibrahim",
    "Clara",
]


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def generate_data(data: Path, n: int, seed: int) -> None:
    """Write N synthetic paper records, the registries and a few reports into data/."""
    rng = random.Random(seed)
    (data / "papers").mkdir(parents=True)
    (data / "reports").mkdir()
    techniques = [
        {
            "id": i,
            "zh": zh,
            "en": en,
            "description": f"{en}: how it speeds up inference.",
            **({"aliases": aliases} if aliases else {}),
            **({"parent": parent} if parent else {}),
        }
        for i, zh, en, aliases, parent in TECHNIQUES
    ]
    (data / "techniques.yaml").write_text(
        yaml.safe_dump({"techniques": techniques}, allow_unicode=True, sort_keys=False), "utf-8"
    )
    combos = [(c, k, s) for s in SUFFIXES for k in KINDS for c in CITIES]
    count = min(len(combos), max(10, n // 5))
    institutions = []
    for (city, city_zh), (kind, kind_zh), (suffix, suffix_zh) in combos[:count]:
        en = " ".join(x for x in (city, kind, suffix) if x)
        institutions.append({"id": _slug(en), "en": en, "zh": city_zh + kind_zh + suffix_zh})
    # One flow mapping per line. load.py caps a file at 256 KiB: 2,000 entries with long
    # names (about 130 bytes each) pass it, so the suffixes are kept short.
    (data / "institutions.yaml").write_text(
        "institutions:\n"
        + "".join(
            "- "
            + yaml.safe_dump(
                x, allow_unicode=True, sort_keys=False, default_flow_style=True, width=10**6
            )
            for x in institutions
        ),
        "utf-8",
    )
    # Institutions are cited unevenly, as in real data: a few are very active.
    weights = [1.0 / (1 + i) ** 0.8 for i in range(count)]
    start = date(2024, 1, 1)
    ids: list[str] = []
    shapes: set[tuple[str, ...]] = set()
    for i in range(n):
        name = "".join(rng.choice(SYLLABLES).capitalize() for _ in range(2)) + str(i)
        techs = rng.sample(TECHNIQUES, rng.choice((1, 1, 2, 2, 3)))
        insts = rng.choices(institutions, weights=weights, k=rng.choice((1, 1, 2, 3)))
        insts = list({x["id"]: x for x in insts}.values())
        tech_en = techs[0][2]
        # Titles differing only in the number would be (rightly) flagged as near-duplicates.
        while True:
            shape = ("", rng.choice(ADJECTIVES), tech_en, rng.choice(DOMAINS), rng.choice(METHODS))
            if shape not in shapes:
                shapes.add(shape)
                break
        title = f"{name}: {shape[1]} {tech_en} for {shape[3]} with {shape[4].removeprefix('a ')}"
        sentences = [
            f"{rng.choice(DOMAINS)} are expensive to run because of {rng.choice(OBJECTS)}.",
            f"We present {name}, which applies {tech_en.lower()} with {rng.choice(METHODS)}.",
            f"{name} {rng.choice(VERBS)} {rng.choice(OBJECTS)} by {rng.randint(12, 85)}% "
            f"and {rng.choice(VERBS)} {rng.choice(OBJECTS)} by {rng.randint(2, 9)}.{rng.randint(0, 9)}x.",
            f"Unlike prior work, it needs {rng.choice(['no retraining', 'a small calibration set', 'no custom hardware', 'only a few lines of code'])}.",
            f"Experiments on {rng.randint(3, 12)} models and {rng.choice(DOMAINS).lower()} show "
            f"that {rng.choice(METHODS)} matters most.",
            f"Code and checkpoints: {name.lower()} release {rng.randint(1, 4)}.",
        ]
        tech_zh = techs[0][1]
        result = rng.choice(ZH_RESULTS).format(
            a=f"{rng.randint(1, 5)}.{rng.randint(0, 9)}", p=rng.randint(10, 80), s=rng.randint(1, 3)
        )
        brief = (
            f"{insts[0]['zh']}发布了{name}论文，使用{rng.choice(ZH_METHODS).format(t=tech_zh)}，"
            f"解决了{rng.choice(DOMAINS)}中{rng.choice(ZH_PROBLEMS)}的问题，达成了{result}的效果。"
        )
        added = start + timedelta(days=rng.randint(0, 700))
        authors = [f"{rng.choice(GIVEN)} {rng.choice(SURNAMES)}" for _ in range(rng.randint(1, 12))]
        record = {
            "title": title,
            "institutions": [rng.choice((x["en"], x["zh"])) for x in insts],
            "author_count": len(authors),
            "authors": authors,
            "abstract": " ".join(sentences),
            "year": added.year if rng.random() < 0.8 else added.year - 1,
            "links": {"arxiv": f"{added.strftime('%y%m')}.{10000 + i:05d}"},
            "techniques": [t[0] for t in techs],
            "added": added.isoformat(),
            "brief": brief,
        }
        paper_id = f"{_slug(name)}"
        ids.append(paper_id)
        (data / "papers" / f"{paper_id}.yaml").write_text(
            yaml.safe_dump(record, allow_unicode=True, sort_keys=False, width=10**6), "utf-8"
        )
    n_reports = 2 if n < 1000 else 3 + n // 5000
    for r in range(n_reports):
        size = min(len(ids), rng.randint(25, 300))
        when = datetime(2025, 1 + r % 12, 1 + r % 28, 9, 0, 0)
        report = {
            "title": f"AI推理加速技术论文分析报告 第{r + 1}期",
            "generated": when.strftime("%Y-%m-%d %H:%M:%S"),
            "papers": rng.sample(ids, size),
        }
        (data / "reports" / f"report-{r + 1}.yaml").write_text(
            yaml.safe_dump(report, allow_unicode=True, sort_keys=False), "utf-8"
        )
