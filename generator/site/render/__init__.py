"""Render the site model into page texts: one module per page kind (see site.py for the order)."""

from generator.site.render.context import PageText, RenderSettings
from generator.site.render.frontmatter import GENERATED_MARKER
from generator.site.render.paths import page_url
from generator.site.render.site import render_site

__all__ = ["GENERATED_MARKER", "PageText", "RenderSettings", "page_url", "render_site"]
