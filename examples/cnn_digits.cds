# A small CNN on scikit-learn's 8x8 digits: one or two Conv2D blocks and a Dense head, on the
# smallest Zynq. io_stream is the io type hls4ml recommends for convolutions.
design cnn_digits

dataset digits

model cnn {
  conv = conv2d
  conv_layers = 1..2
  filters = {4, 8, 16}
  kernel = 3
  pooling = max
  hidden_layers = 0..1
  neurons = 16
}

train {
  learning_rate = 1e-3
}

hls {
  io_type = stream
  strategy = resource
  precision = ap_fixed<10..16, 4..6>
  reuse_factor = {8, 16, 32}
  clock_period = 5 ns

  # The 7007S has 66 DSPs, so multipliers are shared (the resource strategy with large reuse
  # factors; about one configuration in eight fits, and the estimate rules out the rest before
  # training). A 3x3 kernel on one channel is a 9-input product: hls4ml keeps only reuse
  # factors that divide it evenly (`specc check` lists them), so the convolutions get their own.
  layer conv1 {
    reuse_factor = {1, 3, 9}
  }
  layer conv2 {
    reuse_factor = {9, 18, 36}
  }

  # The output layer keeps full precision so the softmax sees well-scaled inputs.
  layer output {
    precision = ap_fixed<16, 6>
  }
}

target xc7z007sclg225-2

objectives {
  minimize fixed_error
  minimize lut
}

constraints {
  dsp <= 100%
  bram <= 100%
}

search {
  algorithm = smac
  trials = 15
  fidelity = 3..15 epochs
}
