"""Model-file fuzzing: thousands of seeded variants of saved networks.

A damaged file (its checksum left as it was) must raise ``ValueError`` or load a network equal to
the original in every field and parameter. A file whose header was edited and then signed again
(checksum recomputed) is a well-formed file of whatever its header says: it must raise
``ValueError`` or load exactly the network the header describes, never anything else, and never
crash or raise another exception.
"""
from __future__ import annotations

import collections
import json
import struct
import zlib

import numpy as np
import pytest

import gradfall as gf
from gradfall.layers import ACTIVATION_ALIASES
from gradfall.objectives import LOSS_ALIASES, default_output_scale
from gradfall.serialization import NETWORK_FIELDS

PREFIX = struct.Struct("<8sIQ")  # magic, format version, header length: the documented layout
CRC = struct.Struct("<I")         # the trailing CRC-32 of everything after the magic
# Files loaded, by family of variants (shown in the test run's summary).
COUNT = collections.Counter()

# Values a header field may be replaced with: wrong types, huge and tiny numbers, nesting,
# unicode look-alikes and control characters.
ODD_VALUES = [None, True, False, 0, -1, 1, 2, 3, 2 ** 31, 2 ** 32 + 1, 2 ** 62, 2 ** 63, 2 ** 64 + 1,
              10 ** 30, -10 ** 30, 1e308, -1e308, 1e-320, 0.5, -0.0, 1.0, float("nan"),
              float("inf"), "", "relu", "\uff52\uff45\uff4c\uff55", "relu\u0000", "float32",
              "float64", "<f4", ">f8", "float16", "mse", "log_loss", "x" * 1000, [], [1], [3, 4],
              [[1, 2]], [None], {}, {"a": 1}, {"layer_sizes": [1, 1]}, [[[[[[]]]]]]]


def make_networks():
    """Saved networks that cover the header's shapes: float32 and float64, one to three layers,
    leaky slopes, dropout and trained counters."""
    rng = np.random.default_rng(7)
    first = gf.Network([gf.Dense(4, 6, "leaky_relu", 0.2, dropout=0.25), gf.Dense(6, 3, "softmax")],
                       loss="cross_entropy", dtype="float32", seed=3)
    first.fit(rng.standard_normal((16, 4)), np.arange(16) % 3, epochs=2, batch_size=5)
    second = gf.Network([3, 5, 4, 2], activation="tanh", loss="mse", dtype="float64", seed=2 ** 63)
    third = gf.Network([2, 1], loss="binary_cross_entropy", dtype="float64", output_scale=0.5)
    return [first, second, third]


@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    """(network, file bytes, header dict, payload bytes) of each saved network."""
    folder = tmp_path_factory.mktemp("originals")
    saved = []
    for i, net in enumerate(make_networks()):
        path = folder / f"net{i}.gfnet"
        net.save(path)
        data = path.read_bytes()
        _, _, length = PREFIX.unpack_from(data)
        header = json.loads(data[PREFIX.size:PREFIX.size + length])
        saved.append((net, data, header, data[PREFIX.size + length:-CRC.size]))
    return saved


def signed(blob, payload, version=2, length=None):
    """A file of header bytes ``blob`` and ``payload`` with a correct checksum."""
    length = len(blob) if length is None else length
    body = PREFIX.pack(b"GRADFALL", version, length)[8:] + blob + payload
    return b"GRADFALL" + body + CRC.pack(zlib.crc32(body))


def same_network(a, b) -> bool:
    sa, sb = a.state(), b.state()
    return (sa.keys() == sb.keys() and sa["params"].dtype == sb["params"].dtype
            and np.array_equal(sa["params"], sb["params"])
            and all(sa[k] == sb[k] and type(sa[k]) is type(sb[k]) for k in sa if k != "params"))


def described(net, header, payload) -> bool:
    """Whether ``net`` is the network ``header`` and ``payload`` describe, read by the
    constructor's rules: names as it spells them, numbers as the floats they round to, missing
    counters 0, no dropout for an empty list, the loss's default scale for a null one."""
    state = net.state()
    params = np.frombuffer(payload, dtype=net.dtype.newbyteorder("<"))
    if not np.array_equal(state["params"], params):
        return False
    wanted = {k: header[k] for k in NETWORK_FIELDS if k in header}
    wanted.setdefault("epochs_trained", 0)
    wanted.setdefault("samples_trained", 0)
    if not wanted.get("dropout"):
        wanted["dropout"] = [0.0] * len(state["activations"])
    wanted["loss"] = LOSS_ALIASES.get(wanted["loss"], wanted["loss"])
    wanted["activations"] = [ACTIVATION_ALIASES.get(a, a) for a in wanted["activations"]]
    wanted["dtype"] = np.dtype(wanted["dtype"]).name
    if wanted["output_scale"] is None:
        wanted["output_scale"] = default_output_scale(state["loss"], state["layer_sizes"][-1])
    wanted["output_scale"] = float(wanted["output_scale"])
    for key in ("leaky_slopes", "dropout"):
        wanted[key] = [float(v) for v in wanted[key]]
    return all(state[k] == v for k, v in wanted.items())


class Verdicts:
    """Loads each variant and keeps the ones that broke the rule."""

    def __init__(self, tmp_path, family):
        self.path = tmp_path / "variant.gfnet"
        self.family = family
        self.broken = []

    def check(self, data, original, meant=None, what=""):
        """``meant``: the (header, payload) the file was signed with; None for a damaged file,
        which must be refused or load ``original``."""
        self.path.write_bytes(data)
        COUNT[self.family] += 1
        try:
            net = gf.load(self.path)
        except ValueError:
            return
        except Exception as exc:  # noqa: BLE001 - any other exception is the failure reported
            self.broken.append(f"{what}: {type(exc).__name__}: {exc}"[:300])
            return
        if same_network(net, original):
            return
        if meant is not None and described(net, *meant):
            return
        self.broken.append(f"{what}: loaded a different network {net!r}")

    def assert_none(self):
        assert not self.broken, f"{len(self.broken)} bad outcomes, e.g.\n" + "\n".join(
            self.broken[:10])


def test_bit_flips_anywhere(tmp_path, originals):
    rng = np.random.default_rng(1)
    verdicts = Verdicts(tmp_path, "bit flips")
    for net, data, _, _ in originals:
        for _ in range(150):
            damaged = bytearray(data)
            for _ in range(rng.choice([1, 1, 2, 8])):
                damaged[rng.integers(len(data))] ^= 1 << rng.integers(8)
            verdicts.check(bytes(damaged), net, what=f"flips in {net!r}")
    verdicts.assert_none()


def test_byte_insertions_deletions_and_truncations(tmp_path, originals):
    rng = np.random.default_rng(2)
    verdicts = Verdicts(tmp_path, "insertions, deletions, truncations")
    for net, data, _, _ in originals:
        for _ in range(50):
            at = int(rng.integers(len(data) + 1))
            extra = rng.integers(0, 256, int(rng.integers(1, 9)), dtype=np.uint8).tobytes()
            verdicts.check(data[:at] + extra + data[at:], net, what=f"insert at {at}")
            cut = int(rng.integers(1, 9))
            verdicts.check(data[:at] + data[at + cut:], net, what=f"delete {cut} at {at}")
        for length in sorted(set(rng.integers(0, len(data), 40).tolist()) | {0, 7, 8, 19, 20}):
            verdicts.check(data[:length], net, what=f"truncated to {length}")
        for size in (1, 3, 4, 100, 4096):
            garbage = rng.integers(0, 256, size, dtype=np.uint8).tobytes()
            verdicts.check(data + garbage, net, what=f"{size} garbage bytes after")
            verdicts.check(garbage + data, net, what=f"{size} garbage bytes before")
    verdicts.assert_none()


def header_edits(header, rng):
    """(edited header as JSON bytes, what) for every field replaced by every odd value, list
    elements replaced, fields removed and added, and keys duplicated."""
    for field in sorted(header):
        for value in ODD_VALUES:
            yield json.dumps({**header, field: value}).encode(), f"{field}={value!r:.40}"
        edited = dict(header)
        del edited[field]
        yield json.dumps(edited).encode(), f"without {field}"
        if isinstance(header[field], list) and header[field]:
            for value in ODD_VALUES[::3]:
                items = list(header[field])
                items[int(rng.integers(len(items)))] = value
                yield json.dumps({**header, field: items}).encode(), f"{field} item={value!r:.40}"
            yield json.dumps({**header, field: header[field] * 2}).encode(), f"{field} doubled"
        # A duplicated key: the JSON parser keeps the last value.
        for value in (header[field], ODD_VALUES[int(rng.integers(len(ODD_VALUES)))]):
            text = json.dumps(header)
            yield (text[:-1] + f", {json.dumps(field)}: {json.dumps(value)}}}").encode(), \
                f"{field} duplicated as {value!r:.40}"
    for extra in ("params", "unknown", "", "\u00e9t\u00e9", "layer_sizes "):
        yield json.dumps({**header, extra: 1}).encode(), f"extra field {extra!r}"
    yield json.dumps(header, indent=4, ensure_ascii=True).encode(), "indented"
    yield json.dumps(dict(reversed(list(header.items())))).encode(), "keys reversed"
    yield json.dumps([header]).encode(), "inside a list"
    yield b"[" * 100_000 + b"]" * 100_000, "deeply nested"
    yield json.dumps(header).encode() + b"\xff\xfe", "trailing invalid UTF-8"
    yield json.dumps(header).encode().replace(b"{", b"\xef\xbb\xbf{", 1), "byte-order mark"
    yield b"", "empty header"


def test_header_edits_signed_and_unsigned(tmp_path, originals):
    """Edited headers with a recomputed checksum load as what they say or are refused; with the
    old checksum they must be refused (or load the original)."""
    rng = np.random.default_rng(3)
    signed_verdicts = Verdicts(tmp_path, "header edits, signed")
    unsigned_verdicts = Verdicts(tmp_path, "header edits, unsigned")
    for net, data, header, payload in originals:
        crc = data[-CRC.size:]
        for blob, what in header_edits(header, rng):
            try:
                meant = json.loads(blob)
            except (ValueError, RecursionError):
                meant = None
            meant = (meant, payload) if isinstance(meant, dict) else None
            signed_verdicts.check(signed(blob, payload), net, meant, what=f"signed {what}")
            if rng.random() < 0.25:
                unsigned = signed(blob, payload)[:-CRC.size] + crc
                unsigned_verdicts.check(unsigned, net, what=f"unsigned {what}")
    signed_verdicts.assert_none()
    unsigned_verdicts.assert_none()


def test_header_lengths_versions_and_payload_sizes(tmp_path, originals):
    rng = np.random.default_rng(4)
    verdicts = Verdicts(tmp_path, "lengths, versions, payloads")
    for net, data, header, payload in originals:
        blob = json.dumps(header).encode()
        for length in (0, 1, len(blob) - 1, len(blob) + 1, len(blob) + 4, 1 << 20, (1 << 20) + 1,
                       2 ** 32, 2 ** 63, 2 ** 64 - 1):
            verdicts.check(signed(blob, payload, length=length), net, what=f"length {length}")
        for version in (0, 1, 3, 255, 2 ** 31, 2 ** 32 - 1):
            verdicts.check(signed(blob, payload, version=version), net, what=f"version {version}")
        itemsize = np.dtype(header["dtype"]).itemsize
        for change in (-itemsize, itemsize, -1, 1, -len(payload)):
            body = payload[:change] if change < 0 else payload + bytes(change)
            verdicts.check(signed(blob, body), net, what=f"payload {change:+d} bytes")
            bigger = {**header, "n_params": len(body) // itemsize}
            verdicts.check(signed(json.dumps(bigger).encode(), body), net, (bigger, body),
                           what=f"payload {change:+d} bytes, n_params to match")
        for bad in (np.nan, np.inf, -np.inf, 1e38 if itemsize == 4 else 1e308):
            params = np.frombuffer(payload, dtype=np.dtype(header["dtype"]).newbyteorder("<")).copy()
            params[int(rng.integers(params.size))] = bad
            verdicts.check(signed(blob, params.tobytes()), net, (header, params.tobytes()),
                           what=f"parameter {bad}")
        # A version 1 file: a parameter checksum in the header, no trailer.
        old = {**header, "version": 1, "params_crc32": zlib.crc32(payload)}
        old_blob = json.dumps(old).encode()
        verdicts.check(PREFIX.pack(b"GRADFALL", 1, len(old_blob)) + old_blob + payload, net,
                       what="version 1")
        broken = {**old, "params_crc32": "x"}
        broken_blob = json.dumps(broken).encode()
        verdicts.check(PREFIX.pack(b"GRADFALL", 1, len(broken_blob)) + broken_blob + payload, net,
                       what="version 1, bad params_crc32")
    verdicts.assert_none()


def test_enough_variants_were_loaded():
    """The families above (run before this one, in file order) load at least 1000 files."""
    if not COUNT:
        pytest.skip("run with the other tests of this file")
    assert sum(COUNT.values()) >= 1000, COUNT
