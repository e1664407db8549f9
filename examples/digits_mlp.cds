# The embedded default example: scikit-learn's 8x8 digits, a small MLP, a Zynq-7000.
# `make demo` runs it. Read it top to bottom: data, model, training, hardware, goals, search.
design digits_mlp

# 1797 8x8 images of handwritten digits, shipped with scikit-learn.
dataset digits {
  test_fraction = 0.2
  normalize = minmax
  seed = 0
}

# One or two hidden Dense layers; each layer's width is searched on its own.
model mlp {
  hidden_layers = 1..2
  neurons = 16..64 step 16
  activation = relu
}

train {
  epochs = 20
  batch_size = 32
  optimizer = adam
  learning_rate = 1e-4..1e-2 log
  l2 = 1e-6..1e-3 log
}

# The HLS knobs hls4ml exposes; W and I of ap_fixed<W, I> are searched separately.
hls {
  backend = vivado
  io_type = parallel
  strategy = latency
  precision = ap_fixed<8..16, 3..6>
  reuse_factor = {1, 2, 4, 8, 16, 32}
  clock_period = 5 ns
}

target xc7z020clg400-1

objectives {
  minimize fixed_error
  minimize latency_ns
}

# Designs that break a budget are rejected before training when the estimate already says so.
constraints {
  dsp <= 220
  lut <= 80%
  fixed_accuracy >= 0.9
}

search {
  algorithm = smac
  trials = 20
  seed = 0
}
