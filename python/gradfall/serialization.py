"""The ``.gfnet`` file format: no pickle, nothing executed on load.

Layout, version 2 (all integers little-endian)::

    bytes 0..7     magic  b"GRADFALL"
    bytes 8..11    uint32 format version (2)
    bytes 12..19   uint64 length H of the header (at most 1 MiB)
    next H bytes   UTF-8 JSON header:
                     {"format": "gradfall.network", "version": 2,
                      "layer_sizes": [...], "activations": [...], "leaky_slopes": [...],
                      "dropout": [...], "loss": "...", "output_scale": float,
                      "dtype": "float32"|"float64", "seed": int, "epochs_trained": int,
                      "samples_trained": int, "n_params": int}
    next           the flat parameter vector, n_params little-endian floats of ``dtype``
                   (W_0 row-major, b_0, W_1, b_1, ...)
    last 4 bytes   uint32 CRC-32 of everything between the magic and it (version, header
                   length, header, parameters)

This module knows the container only: ``write`` and ``read`` move a dict of header fields and a
parameter vector; what the fields mean is checked by ``Network.from_state``, with the
constructor's rules. ``read`` checks, raising ``ValueError`` for any bad file: the magic and
version; the header's length (before reading it) and JSON; that the file's size is exactly what
the header describes (before reading the parameters, which are then read in one bounded read);
the checksum; that the parameters are finite; and that the header holds no unknown field.
Version 1 files (checksum over the parameters only) are still read.
"""
from __future__ import annotations

import json
import os
import struct
import zlib
from typing import Any, NoReturn

import numpy as np
import numpy.typing as npt

from .typing import FloatArray, PathLike

MAGIC = b"GRADFALL"
VERSION = 2
READABLE_VERSIONS = (1, 2)
_PREFIX = struct.Struct("<8sIQ")
_CRC = struct.Struct("<I")
_MAX_HEADER = 1 << 20
# Header fields that describe the container, not the network.
_CONTAINER_FIELDS = ("format", "version", "n_params")
# Training counters: absent in older files (then 0).
_COUNTERS = ("epochs_trained", "samples_trained")
# Every field a network's description may hold (Network.state()).
NETWORK_FIELDS = ("layer_sizes", "activations", "leaky_slopes", "dropout", "loss", "output_scale",
                  "dtype", "seed") + _COUNTERS


def write(path: PathLike, fields: dict[str, Any], params: npt.ArrayLike) -> None:
    """Write header ``fields`` (JSON-serialisable) and the flat ``params`` to ``path``."""
    array = np.asarray(params)
    array = np.ascontiguousarray(array, dtype=array.dtype.newbyteorder("<"))
    payload = array.tobytes()
    header = {"format": "gradfall.network", "version": VERSION, **fields,
              "n_params": int(array.shape[0])}
    blob = json.dumps(header, sort_keys=True, allow_nan=False).encode("utf-8")
    body = _PREFIX.pack(MAGIC, VERSION, len(blob))[len(MAGIC):] + blob
    crc = zlib.crc32(payload, zlib.crc32(body))
    write_atomically(path, MAGIC, body, payload, _CRC.pack(crc))


def write_atomically(path: PathLike, *chunks: bytes) -> None:
    """Writes ``chunks`` to ``path`` through a temporary file: never a half-written model under
    the real name."""
    tmp = f"{os.fspath(path)}.tmp"
    try:
        with open(tmp, "wb") as f:
            for chunk in chunks:
                f.write(chunk)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.remove(tmp)
        raise


def _fail(path: PathLike, why: str) -> NoReturn:
    raise ValueError(f"{os.fspath(path)!s} is not a valid gradfall model: {why}")


def read(path: PathLike) -> tuple[dict[str, Any], FloatArray]:
    """(header fields, params) of a file written by ``write``; the container fields (format,
    version, n_params) are checked and removed."""
    with open(path, "rb") as f:
        size = os.fstat(f.fileno()).st_size
        prefix = f.read(_PREFIX.size)
        if len(prefix) < _PREFIX.size:
            _fail(path, "file too short (truncated?)")
        magic, version, header_len = _PREFIX.unpack(prefix)
        if magic != MAGIC:
            _fail(path, "wrong magic bytes (not a .gfnet file)")
        if version not in READABLE_VERSIONS:
            _fail(path, f"unsupported format version {version} (this gradfall reads "
                        f"{', '.join(map(str, READABLE_VERSIONS))})")
        trailer = _CRC.size if version >= 2 else 0
        if header_len > _MAX_HEADER or _PREFIX.size + header_len + trailer > size:
            _fail(path, "header length out of range (truncated or corrupted)")
        blob = f.read(header_len)
        header = _parse_header(path, blob, version)
        dtype, n_params = _container(path, header, version)
        expected = _PREFIX.size + header_len + n_params * dtype.itemsize + trailer
        if size != expected:
            _fail(path, f"expected {n_params * dtype.itemsize} bytes of parameters, found "
                        f"{size - _PREFIX.size - header_len - trailer} (truncated or padded)")
        payload = f.read(n_params * dtype.itemsize)
        stored = f.read(trailer)
    if len(payload) != n_params * dtype.itemsize or len(stored) != trailer:
        _fail(path, "file changed while it was read")
    if version >= 2:
        crc = zlib.crc32(payload, zlib.crc32(prefix[len(MAGIC):] + blob))
        if crc != _CRC.unpack(stored)[0]:
            _fail(path, "checksum mismatch (corrupted or tampered)")
    elif zlib.crc32(payload) != header["params_crc32"]:
        _fail(path, "parameter checksum mismatch (corrupted or tampered)")
    params = np.frombuffer(payload, dtype=dtype.newbyteorder("<")).astype(dtype)
    if not np.isfinite(params).all():
        _fail(path, "parameters contain NaN or infinity")
    return _network_fields(path, header), params


def _parse_header(path: PathLike, blob: bytes, version: int) -> dict[str, Any]:
    try:
        header = json.loads(blob.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError, ValueError) as exc:
        _fail(path, f"header is not valid JSON ({exc})")
    if not isinstance(header, dict) or header.get("format") != "gradfall.network":
        _fail(path, "header does not describe a gradfall network")
    if header.get("version", version) != version:
        _fail(path, "header and prefix disagree on the format version")
    return header


def _container(path: PathLike, header: dict[str, Any],
               version: int) -> tuple[np.dtype[Any], int]:
    """(dtype, n_params) from the header, both checked."""
    try:
        dtype = np.dtype(header["dtype"])
        n_params = header["n_params"]
        if version == 1:
            header["params_crc32"] = int(header["params_crc32"])
    except (KeyError, TypeError, ValueError, OverflowError) as exc:
        _fail(path, f"header field missing or malformed ({exc})")
    if isinstance(n_params, bool) or not isinstance(n_params, int):
        _fail(path, f"header field missing or malformed (n_params {n_params!r})")
    if dtype not in (np.float32, np.float64):
        _fail(path, f"unsupported dtype {dtype}")
    return dtype, n_params


def _network_fields(path: PathLike, header: dict[str, Any]) -> dict[str, Any]:
    """The header's network description, the training counters checked and defaulted."""
    fields = {k: v for k, v in header.items() if k not in _CONTAINER_FIELDS + ("params_crc32",)}
    unknown = sorted(set(fields) - set(NETWORK_FIELDS))
    if unknown:
        _fail(path, f"unknown header field(s) {', '.join(map(repr, unknown))}")
    for key in _COUNTERS:
        value = fields.get(key, 0)
        if isinstance(value, bool) or not isinstance(value, int):
            _fail(path, f"header field missing or malformed ({key} {value!r})")
        if value < 0:
            _fail(path, f"{key} is negative ({value})")
        fields[key] = value
    return fields
