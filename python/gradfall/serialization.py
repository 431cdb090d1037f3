"""The ``.gfnet`` file format: no pickle, nothing executed on load.

Layout (all integers little-endian)::

    bytes 0..7     magic  b"GRADFALL"
    bytes 8..11    uint32 format version (1)
    bytes 12..19   uint64 length H of the header
    next H bytes   UTF-8 JSON header:
                     {"format": "gradfall.network", "version": 1,
                      "layer_sizes": [...], "activations": [...], "leaky_slopes": [...],
                      "loss": "...", "output_scale": float, "dtype": "float32"|"float64",
                      "seed": int, "epochs_trained": int,
                      "n_params": int, "params_crc32": int}
    the rest       the flat parameter vector, n_params little-endian floats of ``dtype``
                   (W_0 row-major, b_0, W_1, b_1, ...)

``load`` checks the magic, the version, every header field, the exact file length and the CRC-32
of the parameters, so a truncated, corrupted or tampered file raises ``ValueError``.
"""
from __future__ import annotations

import json
import os
import struct
import zlib

import numpy as np

MAGIC = b"GRADFALL"
VERSION = 1
_PREFIX = struct.Struct("<8sIQ")
_MAX_HEADER = 1 << 20


def save(net, path) -> None:
    params = np.ascontiguousarray(net.params, dtype=net.dtype.newbyteorder("<"))
    payload = params.tobytes()
    header = {
        "format": "gradfall.network",
        "version": VERSION,
        "layer_sizes": [int(s) for s in net.layer_sizes],
        "activations": list(net.activations),
        "leaky_slopes": [float(s) for s in net.leaky_slopes],
        "loss": net.loss_name,
        "output_scale": float(net.output_scale),
        "dtype": net.dtype.name,
        "seed": int(net.seed),
        "epochs_trained": int(net.epochs_trained),
        "n_params": int(params.shape[0]),
        "params_crc32": zlib.crc32(payload),
    }
    blob = json.dumps(header, sort_keys=True).encode("utf-8")
    tmp = f"{os.fspath(path)}.tmp"
    with open(tmp, "wb") as f:
        f.write(_PREFIX.pack(MAGIC, VERSION, len(blob)))
        f.write(blob)
        f.write(payload)
    os.replace(tmp, path)  # never leave a half-written model under the real name


def _fail(path, why):
    raise ValueError(f"{os.fspath(path)!s} is not a valid gradfall model: {why}")


def load(path):
    """Read a network written by ``Network.save``."""
    from .network import Network

    with open(path, "rb") as f:
        data = f.read()
    if len(data) < _PREFIX.size:
        _fail(path, "file too short (truncated?)")
    magic, version, header_len = _PREFIX.unpack_from(data)
    if magic != MAGIC:
        _fail(path, "wrong magic bytes (not a .gfnet file)")
    if version != VERSION:
        _fail(path, f"unsupported format version {version} (this gradfall reads {VERSION})")
    if header_len > _MAX_HEADER or _PREFIX.size + header_len > len(data):
        _fail(path, "header length out of range (truncated or corrupted)")
    try:
        header = json.loads(data[_PREFIX.size:_PREFIX.size + header_len].decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        _fail(path, f"header is not valid JSON ({exc})")
    if not isinstance(header, dict) or header.get("format") != "gradfall.network":
        _fail(path, "header does not describe a gradfall network")
    try:
        dtype = np.dtype(header["dtype"])
        n_params = int(header["n_params"])
        state = {key: header[key] for key in ("layer_sizes", "activations", "leaky_slopes",
                                              "loss", "output_scale", "dtype", "seed")}
        crc = int(header["params_crc32"])
        epochs_trained = int(header.get("epochs_trained", 0))
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        _fail(path, f"header field missing or malformed ({exc})")
    if epochs_trained < 0:
        _fail(path, f"epochs_trained is negative ({epochs_trained})")
    if dtype not in (np.float32, np.float64):
        _fail(path, f"unsupported dtype {dtype}")
    payload = data[_PREFIX.size + header_len:]
    if len(payload) != n_params * dtype.itemsize:
        _fail(path, f"expected {n_params * dtype.itemsize} bytes of parameters, found "
                    f"{len(payload)} (truncated or padded)")
    if zlib.crc32(payload) != crc:
        _fail(path, "parameter checksum mismatch (corrupted or tampered)")
    params = np.frombuffer(payload, dtype=dtype.newbyteorder("<")).astype(dtype)
    if not np.isfinite(params).all():
        _fail(path, "parameters contain NaN or infinity")
    sizes, acts, slopes = state["layer_sizes"], state["activations"], state["leaky_slopes"]
    if not (isinstance(sizes, list) and isinstance(acts, list) and isinstance(slopes, list)
            and len(sizes) == len(acts) + 1 == len(slopes) + 1 and len(acts) >= 1
            and all(isinstance(s, int) and not isinstance(s, bool) and s >= 1 for s in sizes)):
        _fail(path, "layer_sizes, activations and leaky_slopes do not describe a network")
    # Checked before anything is allocated, so a tampered size cannot ask for huge memory.
    expected = sum(sizes[i] * sizes[i + 1] + sizes[i + 1] for i in range(len(acts)))
    if expected != n_params:
        _fail(path, f"n_params {n_params} does not match the layer sizes ({expected})")
    from .layers import Dense

    # Rebuild through the constructor's checks so a tampered structure is rejected cleanly.
    try:
        layers = [Dense(sizes[i], sizes[i + 1], activation=acts[i], leaky_slope=slopes[i])
                  for i in range(len(acts))]
        net = Network(layers, loss=state["loss"], dtype=dtype.name, seed=int(state["seed"]),
                      output_scale=float(state["output_scale"]))
    except (TypeError, ValueError) as exc:
        _fail(path, f"inconsistent network description ({exc})")
    net.params[...] = params
    net.epochs_trained = epochs_trained
    return net
