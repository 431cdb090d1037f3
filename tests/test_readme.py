"""The README's Python example runs exactly as written."""
import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"


def _python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_readme_network_example_runs(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    example = next(block for block in _python_blocks() if "gf.Network(" in block)
    namespace = {}
    exec(compile(example, str(README), "exec"), namespace)
    net, X = namespace["net"], namespace["X"]
    assert namespace["proba"].shape == (X.shape[0], 10)
    assert [w.shape for w in namespace["dW"]] == [w.shape for w in net.weights]
    assert (namespace["net2"].predict(X) == namespace["labels"]).all()
    assert len(namespace["history"].loss) == 20
    assert namespace["history"].loss[-1] < namespace["history"].loss[0]
    out = capsys.readouterr().out
    assert "isa" in out and "Network" in out
