"""``python -m bench``: see bench/cli.py for the flags and the README's Benchmarks section."""
from .cli import main

main()
