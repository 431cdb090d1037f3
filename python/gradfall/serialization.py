"""The ``.gfnet`` file format: no pickle, nothing executed on load.

Layout (all integers little-endian)::

    bytes 0..7     magic  b"GRADFALL"
    bytes 8..11    uint32 format version (1)
    bytes 12..19   uint64 length H of the header
    next H bytes   UTF-8 JSON header:
                     {"format": "gradfall.network", "version": 1,
                      "layer_sizes": [...], "activations": [...], "leaky_slopes": [...],
                      "loss": "...", "output_scale": float, "dtype": "float32"|"float64",
                      "seed": int, "epochs_trained": int, "samples_trained": int,
                      "n_params": int, "params_crc32": int}
    the rest       the flat parameter vector, n_params little-endian floats of ``dtype``
                   (W_0 row-major, b_0, W_1, b_1, ...)

This module knows the container only: ``write`` and ``read`` move a dict of header fields and a
parameter vector. ``read`` checks the magic, the version, the header's JSON, the exact file
length, the CRC-32 of the parameters and that they are finite, raising ``ValueError``; what the
fields mean is checked by ``Network.from_state``.
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
# Header fields that describe the container, not the network.
_CONTAINER_FIELDS = ("format", "version", "n_params", "params_crc32")
# Training counters: absent in older files (then 0).
_COUNTERS = ("epochs_trained", "samples_trained")


def write(path, fields: dict, params: np.ndarray) -> None:
    """Write header ``fields`` (JSON-serialisable) and the flat ``params`` to ``path``."""
    params = np.asarray(params)
    params = np.ascontiguousarray(params, dtype=params.dtype.newbyteorder("<"))
    payload = params.tobytes()
    header = {"format": "gradfall.network", "version": VERSION, **fields,
              "n_params": int(params.shape[0]), "params_crc32": zlib.crc32(payload)}
    blob = json.dumps(header, sort_keys=True).encode("utf-8")
    tmp = f"{os.fspath(path)}.tmp"
    with open(tmp, "wb") as f:
        f.write(_PREFIX.pack(MAGIC, VERSION, len(blob)))
        f.write(blob)
        f.write(payload)
    os.replace(tmp, path)  # never leave a half-written model under the real name


def _fail(path, why):
    raise ValueError(f"{os.fspath(path)!s} is not a valid gradfall model: {why}")


def read(path):
    """(header fields, params) of a file written by ``write``; the container fields (format,
    version, n_params, checksum) are checked and removed."""
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
        crc = int(header["params_crc32"])
        counters = {key: int(header.get(key, 0)) for key in _COUNTERS}
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        _fail(path, f"header field missing or malformed ({exc})")
    for key, value in counters.items():
        if value < 0:
            _fail(path, f"{key} is negative ({value})")
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
    fields = {k: v for k, v in header.items() if k not in _CONTAINER_FIELDS}
    return {**fields, **counters}, params
