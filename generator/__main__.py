"""Run the paperbrief command: python -m generator."""

from .cli import main

main()
