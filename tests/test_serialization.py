"""Model files: exact round trips, and ValueError (never a crash or a huge allocation) on damage."""
import json
import struct
import zlib

import numpy as np
import pytest

import gradfall as gf

PREFIX = struct.Struct("<8sIQ")  # magic, format version, header length: the documented layout
CRC = struct.Struct("<I")         # the trailing CRC-32 of everything after the magic


def dense_net(dtype):
    layers = [gf.Dense(4, 9, "leaky_relu", 0.3), gf.Dense(9, 5, "leaky_relu", 0.05),
              gf.Dense(5, 3, "softmax")]
    net = gf.Network(layers, loss="cross_entropy", dtype=dtype, seed=11)
    X = np.random.default_rng(0).standard_normal((20, 4))
    net.fit(X, np.arange(20) % 3, epochs=2, batch_size=8)
    return net, X


def split(data):
    """(header dict, payload bytes) of a saved file (the trailing checksum dropped)."""
    _, _, length = PREFIX.unpack_from(data)
    return (json.loads(data[PREFIX.size:PREFIX.size + length]),
            data[PREFIX.size + length:-CRC.size])


def stored_crc(data):
    return CRC.unpack(data[-CRC.size:])[0]


def join(header, payload, magic=b"GRADFALL", version=2, crc=None):
    """A file from its parts, with the correct checksum unless ``crc`` is given: a consistently
    signed file, so that what is tested is the check of its fields."""
    blob = header if isinstance(header, bytes) else json.dumps(header).encode()
    body = PREFIX.pack(magic, version, len(blob))[8:] + blob + payload
    return magic + body + CRC.pack(zlib.crc32(body) if crc is None else crc)


@pytest.fixture
def saved(tmp_path):
    net, _ = dense_net("float32")
    path = tmp_path / "net.gfnet"
    net.save(path)
    return path, path.read_bytes()


def load_bytes(tmp_path, data):
    path = tmp_path / "damaged.gfnet"
    path.write_bytes(data)
    return gf.load(path)


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_round_trip_is_exact(tmp_path, dtype):
    net, X = dense_net(dtype)
    net.save(tmp_path / "m.gfnet")
    back = gf.load(tmp_path / "m.gfnet")
    assert back.params.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(back.params, net.params)
    np.testing.assert_array_equal(back.forward(X), net.forward(X))
    for attribute in ("layer_sizes", "activations", "leaky_slopes", "loss_name", "output_scale",
                      "seed", "epochs_trained"):
        assert getattr(back, attribute) == getattr(net, attribute), attribute
    assert back.leaky_slopes[:2] == [0.3, 0.05]


def test_saving_leaves_no_temporary_file(tmp_path):
    dense_net("float64")[0].save(tmp_path / "m.gfnet")
    assert [p.name for p in tmp_path.iterdir()] == ["m.gfnet"]


def header_end(data):
    return PREFIX.size + PREFIX.unpack_from(data)[2]


def test_empty_and_truncated_files_are_refused(tmp_path, saved):
    _, data = saved
    # Every cut inside the prefix and header, then every 16th byte of the parameters.
    cuts = list(range(header_end(data) + 1)) + list(range(header_end(data), len(data), 16))
    for length in cuts + [len(data) - 1]:
        with pytest.raises(ValueError, match="not a valid gradfall model"):
            load_bytes(tmp_path, data[:length])


def test_wrong_magic_and_version_are_refused(tmp_path, saved):
    header, payload = split(saved[1])
    with pytest.raises(ValueError, match="wrong magic"):
        load_bytes(tmp_path, join(header, payload, magic=b"GRADFALX"))
    with pytest.raises(ValueError, match="unsupported format version 9"):
        load_bytes(tmp_path, join(header, payload, version=9))
    with pytest.raises(ValueError, match="wrong magic"):
        load_bytes(tmp_path, b"\x89PNG\r\n\x1a\n" + saved[1][8:])


def test_flipped_parameter_byte_fails_the_checksum(tmp_path, saved):
    header, payload = split(saved[1])
    for position in (0, len(payload) // 2, len(payload) - 1):
        damaged = bytearray(payload)
        damaged[position] ^= 0x01
        with pytest.raises(ValueError, match="checksum mismatch"):
            load_bytes(tmp_path, join(header, bytes(damaged), crc=stored_crc(saved[1])))


@pytest.mark.parametrize("changes,match", [
    ({"layer_sizes": [4, 10, 5, 3]}, "does not match the layer sizes"),
    ({"layer_sizes": [4, 10 ** 9, 5, 3], "n_params": 4 * 10 ** 9 + 10 ** 9 + 5 * 10 ** 9 + 5 + 18},
     "expected .* bytes of parameters"),
    ({"layer_sizes": [4, 0, 5, 3]}, "do not describe a network"),
    ({"layer_sizes": ["4", "9", "5", "3"]}, "do not describe a network"),
    ({"layer_sizes": [4, 9, 5]}, "do not describe a network"),
    ({"dtype": "float64"}, "expected .* bytes of parameters"),
    ({"dtype": "int8"}, "unsupported dtype"),
    ({"dtype": "bogus"}, "header field missing or malformed"),
    ({"n_params": 10 ** 15}, "expected .* bytes of parameters"),
    ({"n_params": -1}, "expected .* bytes of parameters"),
    ({"n_params": float("inf")}, "header field missing or malformed"),
    ({"epochs_trained": float("inf")}, "header field missing or malformed"),
    ({"epochs_trained": -5}, "epochs_trained is negative"),
    ({"n_params": "abc"}, "header field missing or malformed"),
    ({"samples_trained": 1.5}, "header field missing or malformed"),
    ({"smuggled": 1}, "unknown header field"),
    ({"activations": ["leaky_relu", "swish", "softmax"]}, "unknown .*activation 'swish'"),
    ({"activations": ["softmax", "relu", "softmax"]}, "softmax is only allowed on the output"),
    ({"loss": "mse"}, "loss 'mse' needs output activation"),
    ({"leaky_slopes": [-1.0, 0.05, 0.01]}, "leaky_slope must be finite and >= 0"),
    ({"output_scale": "x"}, "inconsistent network description"),
    ({"seed": -3}, "seed must be >= 0"),
    ({"format": "pickle"}, "does not describe a gradfall network"),
])
def test_tampered_header_fields_are_refused(tmp_path, saved, changes, match):
    header, payload = split(saved[1])
    header.update(changes)
    with pytest.raises(ValueError, match=match):
        load_bytes(tmp_path, join(header, payload))


def test_missing_header_field_is_refused(tmp_path, saved):
    header, payload = split(saved[1])
    del header["n_params"]
    with pytest.raises(ValueError, match="header field missing or malformed"):
        load_bytes(tmp_path, join(header, payload))


@pytest.mark.parametrize("blob,match", [
    (b"{not json", "header is not valid JSON"),
    (b"\xff\xfe\xfd", "header is not valid JSON"),
    (b"[" * 100000 + b"]" * 100000, "header is not valid JSON"),
    (b"[1, 2]", "does not describe a gradfall network"),
], ids=["syntax", "not_utf8", "nested_too_deep", "not_an_object"])
def test_malformed_header_is_refused(tmp_path, saved, blob, match):
    _, payload = split(saved[1])
    with pytest.raises(ValueError, match=match):
        load_bytes(tmp_path, join(blob, payload))


def test_header_length_beyond_the_file_is_refused(tmp_path, saved):
    data = saved[1]
    for length in (len(data), 2 ** 40, 2 ** 64 - 1):
        with pytest.raises(ValueError, match="header length out of range"):
            load_bytes(tmp_path, PREFIX.pack(b"GRADFALL", 1, length) + data[PREFIX.size:])


def test_non_finite_parameters_with_a_valid_checksum_are_refused(tmp_path, saved):
    header, payload = split(saved[1])
    params = np.frombuffer(payload, "<f4").copy()
    params[3] = np.nan
    with pytest.raises(ValueError, match="NaN or infinity"):
        load_bytes(tmp_path, join(header, params.tobytes()))


def test_byte_flips_are_errors_or_clean_loads(tmp_path, saved):
    data = saved[1]
    # Every byte the parser reads field by field, and a sample of the checksummed parameters.
    positions = list(range(header_end(data))) + list(range(header_end(data), len(data), 16))
    for position in positions:
        damaged = bytearray(data)
        damaged[position] ^= 0xFF
        try:
            load_bytes(tmp_path, bytes(damaged))
        except ValueError:
            pass  # anything else (OverflowError, RecursionError, a crash) fails the test


# ---------------------------------------------------------------- the checksum covers the header
@pytest.mark.parametrize("edit", [{"activations": ["leaky_relu", "leaky_relu", "softmax"],
                                   "leaky_slopes": [0.3, 0.5, 0.01]},
                                  {"output_scale": 2.0}, {"seed": 12}, {"epochs_trained": 7}])
def test_header_edits_without_the_checksum_are_refused(tmp_path, saved, edit):
    header, payload = split(saved[1])
    header.update(edit)
    with pytest.raises(ValueError, match="checksum mismatch"):
        load_bytes(tmp_path, join(header, payload, crc=stored_crc(saved[1])))


def test_one_flipped_header_bit_is_refused(tmp_path, saved):
    data = saved[1]
    for position in range(PREFIX.size, header_end(data)):
        damaged = bytearray(data)
        damaged[position] ^= 0x04
        with pytest.raises(ValueError, match="not a valid gradfall model"):
            load_bytes(tmp_path, bytes(damaged))


@pytest.mark.parametrize("edit,match", [
    ('"seed": Infinity', "seed must be an integer"),
    ('"seed": 1e999', "seed must be an integer"),
    ('"seed": 1.5', "seed must be an integer"),
    ('"output_scale": 1e308', "outside what float32 can hold"),
    ('"output_scale": 1e-320', "outside what float32 can hold"),
])
def test_signed_but_invalid_fields_are_refused_by_the_constructors_rules(tmp_path, saved, edit,
                                                                         match):
    header, payload = split(saved[1])
    key = edit.split(":")[0].strip('"')
    text = json.dumps(header).replace(f'"{key}": {json.dumps(header[key])}', edit)
    with pytest.raises(ValueError, match=match):
        load_bytes(tmp_path, join(text.encode(), payload))


def test_the_size_is_checked_before_the_parameters_are_read(tmp_path, saved, monkeypatch):
    data = saved[1]
    path = tmp_path / "padded.gfnet"
    with open(path, "wb") as f:
        f.write(data)
        f.seek(3 * 2 ** 30)  # a sparse 3 GiB file: nothing is written to the disk
        f.write(b"\0")
    reads = []
    real_open = open

    class Spy:
        def __init__(self, f):
            self.f = f

        def read(self, n=-1):
            reads.append(n)
            return self.f.read(n)

        def __getattr__(self, name):
            return getattr(self.f, name)

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            self.f.close()

    monkeypatch.setattr("builtins.open", lambda p, mode="r", *a, **k:
                        Spy(real_open(p, mode, *a, **k)) if p == path else real_open(p, mode, *a, **k))
    with pytest.raises(ValueError, match="truncated or padded"):
        gf.load(path)
    assert all(0 <= n <= 1 << 20 for n in reads), reads  # never a read of the parameters


def test_version_1_files_still_load(tmp_path, saved):
    header, payload = split(saved[1])
    header.update(version=1, params_crc32=zlib.crc32(payload))
    blob = json.dumps(header).encode()
    old = PREFIX.pack(b"GRADFALL", 1, len(blob)) + blob + payload
    net = load_bytes(tmp_path, old)
    np.testing.assert_array_equal(net.params, gf.load(saved[0]).params)
    with pytest.raises(ValueError, match="checksum mismatch"):
        load_bytes(tmp_path, old[:-1] + bytes([old[-1] ^ 1]))
