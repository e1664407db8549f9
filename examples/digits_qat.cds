# The default example with compression in the search (MetaML's tasks, in order): magnitude
# pruning in two rounds, then quantisation-aware training with HGQ2 -- fixed ap_fixed<W, I>
# quantisers (qat) or a width learned per weight (hgq) -- at widths post-training rounding
# cannot reach (see bench/qat_vs_ptq.py).
design digits_qat

dataset digits {
  test_fraction = 0.2
  normalize = minmax
  seed = 0
}

model mlp {
  hidden_layers = 1..2
  neurons = 16..64 step 16
  activation = relu
}

# Early stopping on a validation split; the learning-rate schedule is searched.
train {
  epochs = 20
  batch_size = 32
  learning_rate = 1e-3..1e-2 log
  early_stopping = 4
  lr_schedule = {constant, cosine}
}

compress {
  prune {
    sparsity = 0..0.8
    steps = 2
    epochs = 3
  }
  quantize {
    method = {qat, hgq}
    beta = 1e-6..1e-4 log
    epochs = 10
  }
}

# Narrow types: the quantisers are trained at them.
hls {
  backend = vivado
  io_type = parallel
  strategy = latency
  precision = ap_fixed<4..8, 1..3>
  reuse_factor = {1, 2, 4}
  clock_period = 5 ns
}

target xc7z020clg400-1

objectives {
  minimize fixed_error
  minimize lut
}

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
