"""The site swap: the finished build takes the place of site/ in one step; leftovers go."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import BuildFailed
from generator.site import publish as publish_module
from generator.site.publish import fresh_staging, publish, published_site, staging_path


def _site(root: Path, text: str) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "index.html").write_text(text, encoding="utf-8")
    (root / "papers").mkdir(exist_ok=True)
    (root / "papers" / "x.html").write_text(text, encoding="utf-8")
    return root


@pytest.mark.parametrize("exchange", [True, False], ids=["renameat2", "two renames"])
def test_the_new_site_takes_the_old_ones_place(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, exchange: bool
) -> None:
    if not exchange:
        monkeypatch.setattr(publish_module, "_exchange", lambda first, second: False)
    site = _site(tmp_path / "site", "old")
    staging = fresh_staging(site)
    assert staging == staging_path(site) and list(staging.iterdir()) == []
    _site(staging, "new")
    publish(staging, site)
    assert (site / "index.html").read_text("utf-8") == "new"
    assert (site / "papers" / "x.html").read_text("utf-8") == "new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_first_build_is_renamed_into_place(tmp_path: Path) -> None:
    site = tmp_path / "site"
    staging = _site(fresh_staging(site), "first")
    publish(staging, site)
    assert (site / "index.html").read_text("utf-8") == "first"
    assert not staging.exists()


def test_leftovers_of_a_killed_build_are_removed_and_a_parked_site_comes_back(
    tmp_path: Path,
) -> None:
    # Killed between the two renames of the fallback swap: site/ is missing, the old one parked.
    _site(tmp_path / ".site.old", "old")
    _site(tmp_path / ".site.new", "half")
    site = tmp_path / "site"
    staging = fresh_staging(site)
    assert (site / "index.html").read_text("utf-8") == "old"
    assert list(staging.iterdir()) == []
    assert not (tmp_path / ".site.old").exists()


def test_a_symlinked_site_is_swapped_where_it_points(tmp_path: Path) -> None:
    real = _site(tmp_path / "www" / "site", "old")
    link = tmp_path / "site"
    link.symlink_to(real)
    site = published_site(link)
    assert site == real
    staging = _site(fresh_staging(site), "new")
    publish(staging, site)
    assert link.is_symlink() and (link / "index.html").read_text("utf-8") == "new"


def test_a_file_in_the_sites_place_is_refused_clearly(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.write_text("not a folder", encoding="utf-8")
    staging = _site(fresh_staging(site), "new")
    with pytest.raises(BuildFailed, match="is not a folder"):
        publish(staging, site)
