design u
dataset digits
model mlp {
  hidden_layers = 1
  neurons = {16, 32}
}
hls {
  clock_period = 200..250 MHz
  precision = ap_fixed<{8, 12}, 4>
}
target xc7a200tsbg484-1 {
  lut = 134600
  ff = 269200
  dsp = 740
  bram_18k = 730
}
objectives {
  minimize latency_ns
}
constraints {
  latency_ns <= 0.2 us
  lut <= 50%
  fixed_accuracy >= 90%
}
search {
  time_budget = 1.5 h
  fidelity = 2..20 epochs
}
