"""paperbrief: validated paper records, enrichment, and a MkDocs Material report site."""

__version__ = "0.1.0"
