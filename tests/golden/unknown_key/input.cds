design tiny
dataset digits
model mlp {
  hiden_layers = 1..2
  neurons = 16..32 step 16
}
hls {
  precision = ap_fixed<16, 6>
  reuse_factor = 1
}
target xc7z020clg400-1
objectives {
  minimize fixed_error, latency_ns
}
