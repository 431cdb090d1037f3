"""ONNX export and import of a ``gf.Network`` (needs the optional ``onnx`` package:
``pip install "gradfall[onnx]"``; ``import gradfall`` never imports it).

The graph gradfall writes, and the only shape it reads back: one input ``X`` of shape
(N, n_features) with a dynamic batch dimension N, then per dense layer a ``Gemm``
(``z = a @ W + b``, W and b initializers) followed by its activation (``Relu``, ``LeakyRelu``
or ``PRelu`` with one slope, ``Sigmoid``, ``Tanh``, nothing for identity; on the output layer
also ``Softmax`` over the last axis or ``Exp``), ending in the output ``Y``. float32 or float64
(``TensorProto.DOUBLE``). What the graph cannot hold (loss, output_scale, seed, dropout rates,
exact leaky slopes, training counters) travels as the model's metadata, so ``from_onnx`` rebuilds
the same network; without that metadata (a plain chain exported by another library, with
``MatMul`` + ``Add`` layers or ``Gemm`` with a transposed weight also accepted) the loss follows
the output activation.

``export.to_onnx`` is ``Network.to_onnx``; ``reader.from_onnx`` is ``gradfall.from_onnx``. This
file imports neither, so ``network`` can import ``export`` while ``reader`` imports ``network``.
"""
