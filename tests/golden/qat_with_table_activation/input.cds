design tiny
dataset digits
model mlp {
  hidden_layers = 1
  neurons = 16
  activation = tanh
}
target xc7z020clg400-1
objectives {
  minimize fixed_error, lut
}
compress {
  quantize { method = {ptq, hgq} }
}
