design tiny
dataset digits
model mlp {
  hidden_layers = 1..2
  neurons = {8, 16, 32}
}
train {
  epochs = 2
  learning_rate = 1e-3..1e-2 log
}
hls {
  precision = ap_fixed<{8, 12, 16}, 4>
  reuse_factor = {1, 2, 4, 8}
}
target xc7z045ffg900-2
objectives {
  minimize fixed_error, latency_ns
}
constraints {
  latency_ns <= 10 us
}
search {
  trials = 4
  seed = 7
}
