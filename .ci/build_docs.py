"""Builds the API reference with pdoc from the installed gradfall's docstrings, into the directory
given as the only argument; any warning pdoc gives (an annotation it cannot resolve, a docstring
it cannot parse, a module that fails to import) fails the build."""
import sys
import warnings
from pathlib import Path

import pdoc
import pdoc.doc
import pdoc.doc_types
import pdoc.render

# The public API and the modules whose docstrings document a format or a rule set.
MODULES = [
    "gradfall",
    "gradfall.sklearn",
    "gradfall.typing",
    "gradfall.initializers",
    "gradfall.objectives",
    "gradfall.optimizers",
    "gradfall.stopping",
    "gradfall.serialization",
    "gradfall.onnx_io",
    "gradfall.cli",
]


class AsWritten:
    """An annotation shown as the source writes it (``Features``, ``npt.ArrayLike | None``)."""

    def __init__(self, text):
        self.text = text

    def __repr__(self):
        return self.text


def shown_as_written(evaluate):
    """pdoc's annotation evaluation, still run (it warns about a name that does not resolve),
    but the annotation shown as written: evaluated, gradfall.typing's aliases would be shown
    as numpy's long unions."""
    def evaluate_and_keep(annotation, globalns, localns, module, fullname):
        resolved = evaluate(annotation, globalns, localns, module, fullname)
        return AsWritten(annotation) if isinstance(annotation, str) else resolved
    return evaluate_and_keep


def main(output_directory):
    pdoc.doc.safe_eval_type = pdoc.doc_types.safe_eval_type = shown_as_written(
        pdoc.doc_types.safe_eval_type)
    pdoc.render.configure(docformat="numpy", footer_text="gradfall API reference")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        pdoc.pdoc(*MODULES, output_directory=Path(output_directory))
    for warning in caught:
        print(f"docs: {warning.category.__name__}: {warning.message}", file=sys.stderr)
    if caught:
        print(f"docs: {len(caught)} warning(s): the build fails on any", file=sys.stderr)
        return 1
    print(f"docs: {', '.join(MODULES)} written to {output_directory}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
