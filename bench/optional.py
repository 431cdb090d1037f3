"""Optional packages: what is not installed is skipped with a note saying how to get it."""
from __future__ import annotations

import importlib

INSTALL_HINTS = {
    "torch": "pip install torch==2.13.0",
    "sklearn": 'pip install ".[bench]"',
    "gradfall.sklearn": 'pip install ".[bench]"',
    "threadpoolctl": 'pip install ".[bench]"',
    "matplotlib": 'pip install ".[bench]"',
    "onnx": 'pip install ".[bench]"',
    "onnxruntime": 'pip install ".[bench]"',
}


def load(module_name: str):
    """The module, or None when it cannot be imported."""
    try:
        return importlib.import_module(module_name)
    except ImportError:
        return None


def missing_note(package: str, what: str) -> str:
    hint = INSTALL_HINTS.get(package, f"pip install {package}")
    return f"{what} skipped: {package} is not installed ({hint})."
