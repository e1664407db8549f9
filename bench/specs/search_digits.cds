# The fixed spec of bench/search_quality.py: a joint digits MLP space on a Zynq-7020, with a DSP
# budget that rules out the large unrolled designs and a latency budget that also sets the
# hypervolume's reference latency (so accuracy and latency both count).
design search_digits

dataset digits

model mlp {
  hidden_layers = 1..2
  neurons = {8, 16, 32, 64}
}

train {
  epochs = 4
  learning_rate = 1e-4..3e-2 log
  l2 = 1e-7..1e-3 log
}

hls {
  precision = ap_fixed<{8, 10, 12, 16}, {3, 4, 6}>
  reuse_factor = {1, 2, 4, 8, 16}
  clock_period = 5 ns
}

target xc7z020clg400-1

objectives {
  minimize fixed_error
  minimize latency_ns
}

constraints {
  dsp <= 220
  latency_ns <= 400
}

search {
  trials = 12
}
