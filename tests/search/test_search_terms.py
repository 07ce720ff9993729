"""The hidden search text of a paper page: CJK one character a word, names in every form a query takes."""

from __future__ import annotations

from generator.site.search_terms import fold, hidden_search_text, name_variants, spaced_cjk


def test_cjk_characters_become_words_and_latin_words_stay_whole() -> None:
    assert spaced_cjk("华为诺亚方舟实验室") == "华 为 诺 亚 方 舟 实 验 室"
    assert spaced_cjk("KV缓存优化 for LLMs") == "KV 缓 存 优 化 for LLMs"
    assert spaced_cjk("ディープラーニング") == "デ ィ ー プ ラ ー ニ ン グ"
    assert spaced_cjk("𠀀𠀁") == "𠀀 𠀁"  # beyond the BMP
    assert spaced_cjk("서울대학교") == "서울대학교"  # Hangul is written with spaces


def test_a_name_is_kept_split_and_joined_at_punctuation() -> None:
    assert name_variants("2:4 sparsity") == ["2:4 sparsity", "2 4 sparsity", "24 sparsity"]
    assert name_variants("2509.26432") == ["2509.26432", "2509 26432", "250926432"]
    assert name_variants("Huawei Noah's Ark Lab") == [
        "Huawei Noah's Ark Lab",
        "Huawei Noah s Ark Lab",
        "Huawei Noahs Ark Lab",
    ]
    assert name_variants("  量化 ") == ["量化"]
    assert name_variants(" ") == []


def test_the_hidden_text_holds_names_then_the_cjk_of_the_texts_once_each() -> None:
    text = hidden_search_text(
        ["华为", "Huawei", "华为"],
        ["华为诺亚方舟实验室发布了论文，使用KV缓存。", "An English abstract.", ""],
    )
    assert text.split(" · ") == [
        "华 为",
        "Huawei",
        "华 为 诺 亚 方 舟 实 验 室 发 布 了 论 文",
        # a word mixing scripts stays one run: "KV缓存" is found as written
        "使 用 KV 缓 存",
    ]


def test_diacritics_are_folded_in_names_and_texts_as_the_search_page_folds_queries() -> None:
    assert fold("ETH Zürich") == "ETH Zurich"
    assert fold("Mälardalens universitet, Ångström") == "Malardalens universitet, Angstrom"
    assert fold("デ ﬁ ø") == "デ ﬁ ø"  # kana voicing marks, ligatures and ø are not diacritics
    text = hidden_search_text(["ETH Zürich"], ["Sorbonne Université 与 华为", "plain"])
    # a text with diacritics is repeated whole, folded (a phrase across it is then found)
    assert text.split(" · ") == ["ETH Zurich", "Sorbonne Universite 与 华 为"]


def test_the_hidden_text_of_nothing_is_empty() -> None:
    assert hidden_search_text([], ["only latin"]) == ""
