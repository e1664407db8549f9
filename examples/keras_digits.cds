# Start from a model you already trained: examples/data/digits_mlp.keras (64-32-16-10, made by
# examples/data/train_digits_model.py). Nothing is retrained; the search is over the hardware
# alone: precision, reuse factor and clock, for the fixed-point error the C simulation measures
# and the latency, on a Zynq-7020.
design keras_digits

# The split and normalisation the model was trained with.
dataset digits {
  test_fraction = 0.2
  normalize = minmax
  seed = 0
}

model keras "data/digits_mlp.keras"

hls {
  backend = vivado
  io_type = parallel
  strategy = latency
  precision = ap_fixed<6..16, 2..6>
  reuse_factor = {2, 4, 8, 16}
  clock_period = 4..10 ns
}

target xc7z020clg400-1

objectives {
  minimize fixed_error
  minimize latency_ns
}

constraints {
  dsp <= 100%
  lut <= 100%
  fixed_accuracy >= 0.9
}

search {
  algorithm = smac
  trials = 12
  seed = 0
}
