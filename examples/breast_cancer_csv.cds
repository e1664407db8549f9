# A user's own table: the Wisconsin breast-cancer measurements (569 rows, 30 features and a
# "diagnosis" column), saved as CSV in examples/data/ (see examples/data/README.md). A binary
# classifier for the smallest Zynq, searched for fixed-point error against DSPs.
design breast_cancer_csv

dataset csv "data/breast_cancer.csv" {
  label = "diagnosis"
  normalize = standard
  test_fraction = 0.25
  seed = 0
}

model mlp {
  hidden_layers = 1..2
  neurons = 8..32 step 8
  activation = relu
}

train {
  epochs = 30
  batch_size = 32
  learning_rate = 1e-3..1e-2 log
}

hls {
  backend = vivado
  io_type = parallel
  strategy = latency
  precision = ap_fixed<6..16, 2..6>
  reuse_factor = {1, 2, 4, 8}
  clock_period = 10 ns
}

target xc7z007sclg225-1

objectives {
  minimize fixed_error
  minimize dsp
}

constraints {
  dsp <= 100%
  lut <= 100%
  latency_ns <= 1 us
}

search {
  algorithm = smac
  trials = 12
  seed = 0
}
