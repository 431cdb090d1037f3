"""gradfall's benchmark harness (``python -m bench`` from the repository root).

Sections: gemm (gf.matmul vs numpy.matmul per ISA path, and as a share of the measured FMA
peak), train and predict (samples/s against scikit-learn's MLPClassifier and PyTorch), memory
(peak RSS of fit in a fresh process). Contenders are interleaved after a warm-up; medians are
reported as gradfall ÷ other ratios next to the project's targets."""
